"""The inbox list's state as a browser receives it: unread counts (and the open conversation read),
paging with "Carregar mais", the live fragment, the empty states, keyboard and labels."""

from __future__ import annotations

import httpx
from starlette.requests import Request

from carinho.atendimento.agents.models import Agent, Role, SupportLevel
from carinho.atendimento.web.inbox import list_pane_context
from carinho.runtime import Runtime
from tests.atendimento.conftest import Api
from tests.atendimento.web.conftest import MakePerson
from tests.atendimento.web.inbox_support import (
    assign,
    customer,
    listed,
    refresh_state,
    row,
    row_ids,
    tab_count,
    unread_of,
    unread_total,
)

# ---------------------------------------------------------------- unread


async def test_unread_counts_go_up_with_the_customer_and_to_zero_when_opened(
    make_person: MakePerson, atendimento: httpx.AsyncClient, supervisor: Api
) -> None:
    ana = await make_person(Role.agent, SupportLevel.n1)
    boss = await make_person(Role.supervisor)
    conversation = await customer(atendimento, "5511900000041")
    await assign(supervisor, conversation, ana.agent_id)
    page = await ana.page("/conversas")
    assert unread_of(page.text, conversation) == 1 and unread_total(page.text) == 1
    assert "is-unread" in row(page.text, conversation)

    await customer(atendimento, "5511900000041", text="Alguém aí?")
    await customer(atendimento, "5511900000041", text="Por favor")
    assert unread_of(await listed(ana), conversation) == 3

    opened = await listed(ana, f"aba=minhas&aberta={conversation}")  # the list while it is open
    assert unread_of(opened, conversation) == 0 and unread_total(opened) == 0
    assert 'aria-current="true"' in row(opened, conversation)
    assert refresh_state(opened)["aberta"] == str(conversation)  # the next refresh: open and read
    # Read for Ana only: the supervisor has not seen it.
    assert unread_of(await listed(boss, "aba=todas"), conversation) == 3

    await customer(atendimento, "5511900000041", text="Mais uma coisa")
    assert unread_of(await listed(ana), conversation) == 1
    assert unread_of(await listed(ana, f"aberta={conversation}"), conversation) == 0

    await customer(atendimento, "5511900000041", text="E outra")
    reply = await supervisor.post(f"/api/conversations/{conversation}/messages", json={"text": "Já vou ver!"})
    assert reply.status_code in (200, 201, 202), reply.text
    # Answered: nothing is waiting to be read any more, for anyone.
    assert unread_of(await listed(ana), conversation) == 0
    assert unread_of(await listed(boss, "aba=todas"), conversation) == 0


async def test_the_conversation_page_marks_its_conversation_read(
    seeded: Runtime, make_person: MakePerson, atendimento: httpx.AsyncClient, supervisor: Api
) -> None:
    ana = await make_person(Role.agent, SupportLevel.n1)
    other = await make_person(Role.agent, SupportLevel.n1)
    conversation = await customer(atendimento, "5511900000051")
    await assign(supervisor, conversation, other.agent_id)
    theirs = await customer(atendimento, "5511900000052")
    await assign(supervisor, theirs, ana.agent_id)

    async with seeded.db("atendimento").session() as session:
        agent = await session.get(Agent, ana.agent_id)
        assert agent is not None
        request = Request({"type": "http", "query_string": b"aba=todas", "headers": []})
        context = await list_pane_context(request, session, agent, current_id=theirs)
        await session.commit()
    view = context["inbox"]
    assert context["current_id"] == theirs and view.current_id == theirs
    assert [r.id for r in view.rows] == [theirs] and view.rows[0].unread == 0
    assert view.state.aba == "todas"
    # Another attendant's conversation in `aberta` is neither shown nor marked read, and no error.
    response = await ana.htmx("GET", f"/conversas/lista?aba=todas&aberta={conversation}")
    assert response.status_code == 200 and row_ids(response.text) == [theirs]
    assert unread_of(await listed(other, "aba=minhas"), conversation) == 1


# ---------------------------------------------------------------- paging, fragment, empty


async def test_pages_of_fifty_with_load_more(
    make_person: MakePerson, atendimento: httpx.AsyncClient, supervisor: Api
) -> None:
    boss = await make_person(Role.supervisor)
    created = [await customer(atendimento, f"55119100{n:05d}") for n in range(53)]
    first = await listed(boss, "aba=todas")
    assert len(row_ids(first)) == 50 and tab_count(first, "todas") == 53
    assert 'id="carregar-mais"' in first
    assert 'hx-get="/conversas/lista?aba=todas&amp;n=100"' in first  # "Carregar mais"
    more = await listed(boss, "aba=todas&n=100")
    assert sorted(row_ids(more)) == sorted(created)
    assert 'id="carregar-mais"' not in more and "Todas as conversas foram carregadas." in more
    assert refresh_state(more)["n"] == "100"  # the live refresh keeps the 100 rows


async def test_the_fragment_is_the_list_region_alone(
    make_person: MakePerson, atendimento: httpx.AsyncClient, supervisor: Api
) -> None:
    ana = await make_person(Role.agent, SupportLevel.n1)
    conversation = await customer(atendimento, "5511900000061")
    response = await ana.htmx("GET", "/conversas/lista?aba=nao-atribuidas&busca=maria")
    assert response.status_code == 200
    text = response.text
    assert text.lstrip().startswith('<div id="lista-conversas"') and "<html" not in text
    assert "data-unread-total=" in text and 'id="busca"' not in text  # the search box stays put
    assert refresh_state(text) == {"aba": "nao-atribuidas", "busca": "maria", "n": "50"}
    page = (await ana.page("/conversas")).text
    live = page[page.index('<div class="pane-body inbox-body"') : page.index('id="lista-conversas"')]
    assert 'hx-trigger="carinho-live from:body throttle:500ms"' in live  # at once, at most every 0.5 s
    assert 'hx-trigger="carinho-live from:body delay:250ms"' in live  # and after the last of a burst
    assert live.count('hx-target="#lista-conversas" hx-swap="outerHTML"') == 2
    assert row_ids(text) == [conversation]
    assert "HX-Replace-Url" not in response.headers  # a live refresh leaves the address bar alone
    # A change made in the filter form moves the address bar to the new view (a reload shows it).
    typed = await ana.htmx(
        "GET",
        "/conversas/lista?aba=nao-atribuidas&status=ativas&busca=maria",
        headers={"hx-trigger": "filtros", "hx-current-url": "http://atendimento.test/conversas?aba=minhas"},
    )
    assert typed.headers["HX-Replace-Url"] == "/conversas?aba=nao-atribuidas&busca=maria"
    opened = await ana.htmx(
        "GET",
        f"/conversas/lista?aba=todas&aberta={conversation}",
        headers={
            "hx-trigger": "filtros",
            "hx-current-url": f"http://atendimento.test/conversas/{conversation}",
        },
    )
    assert opened.headers["HX-Replace-Url"] == f"/conversas/{conversation}?aba=todas"
    assert f'href="/conversas/{conversation}?aba=minhas"' in opened.text  # tabs keep it open
    # Without a session: the login page, as for every page.
    anonymous = await make_person(login=False)
    assert (
        (await anonymous.htmx("GET", "/conversas/lista")).headers.get("hx-redirect", "").startswith("/entrar")
    )


async def test_empty_states_per_tab(make_person: MakePerson, supervisor: Api) -> None:
    ana = await make_person(Role.agent, SupportLevel.n1)
    page = await ana.page("/conversas")
    assert row_ids(page.text) == []
    assert "Nenhuma conversa aguardando você" in page.text
    assert "Nenhuma conversa na fila" in await listed(ana, "aba=nao-atribuidas")
    assert "Nenhuma conversa atribuída a você" in await listed(ana, "aba=minhas")
    assert unread_total(page.text) == 0
    assert "inbox-empty-action" not in page.text  # nothing to clear: no filter set


async def test_keyboard_and_labels(
    make_person: MakePerson, atendimento: httpx.AsyncClient, supervisor: Api
) -> None:
    ana = await make_person(Role.agent, SupportLevel.n1)
    await customer(atendimento, "5511900000071")
    page = (await ana.page("/conversas?aba=nao-atribuidas")).text
    assert '<label for="busca"' in page and 'id="busca"' in page and 'data-shortcut="/"' in page
    assert 'role="search"' in page
    for control in ("f-status", "f-prioridade", "f-sla", "f-etiqueta", "f-etapa"):
        assert f'<label for="{control}"' in page
    assert page.count("data-nav-item") == 1
    assert 'id="aba-nao-atribuidas" href="/conversas?aba=nao-atribuidas" aria-current="page"' in page
