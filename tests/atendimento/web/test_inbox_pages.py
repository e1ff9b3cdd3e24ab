"""The inbox list (left pane of the workspace), as a browser receives it: tabs, filters, search,
visibility, urgency order, unread counts, paging, the live fragment, the empty states, and the cost
of a page (a constant number of queries, each through indexes)."""

from __future__ import annotations

import itertools
import re
from typing import Any

import httpx
import pytest
from sqlalchemy import event
from starlette.requests import Request

from carinho.atendimento.agents.models import Agent, Role, SupportLevel
from carinho.atendimento.web.inbox import list_pane_context
from carinho.runtime import Runtime
from tests.atendimento.conftest import OPEN_INSTANT, Api, MakeAgent, freeze_at, post_webhook, received
from tests.atendimento.sla.support import move_to, run_monitor
from tests.atendimento.web.conftest import MakePerson, Person

_ids = itertools.count(1)


async def customer(
    client: httpx.AsyncClient,
    phone: str,
    text: str = "Olá, preciso de uma cuidadora",
    name: str = "Maria Souza",
) -> int:
    """A customer's WhatsApp message through the signed webhook: the conversation's id."""
    payload = received(f"INBOX-{next(_ids)}", phone=phone, text=text, senderName=name, chatName=name)
    response = await post_webhook(client, payload)
    assert response.status_code == 200, response.text
    return int(response.json()["conversation_id"])


def row_ids(html: str) -> list[int]:
    return [int(i) for i in re.findall(r'id="conversa-(\d+)"', html)]


def row(html: str, conversation_id: int) -> str:
    """The HTML of one row."""
    match = re.search(rf'<a id="conversa-{conversation_id}".*?</a>', html, re.S)
    assert match, f"conversation {conversation_id} is not listed"
    return match.group(0)


def unread_of(html: str, conversation_id: int) -> int:
    found = re.search(r'class="count inbox-unread"[^>]*>(\d+)', row(html, conversation_id))
    return int(found.group(1)) if found else 0


def unread_total(html: str) -> int:
    match = re.search(r'data-unread-total="(\d+)"', html)
    assert match
    return int(match.group(1))


def refresh_state(html: str) -> dict[str, str]:
    """What the list's next live refresh asks for (the hidden inputs of #lista-estado)."""
    block = html[html.index('<div id="lista-estado" hidden>') :]
    block = block[: block.index("</div>")]
    return dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', block))


def tab_count(html: str, tab: str) -> int:
    match = re.search(rf'id="aba-{tab}"[^>]*>[^<]*<span class="inbox-tab-count">([\d.]+)</span>', html)
    assert match, html[:2000]
    return int(match.group(1).replace(".", ""))


async def listed(person: Person, query: str = "") -> str:
    response = await person.htmx("GET", f"/conversas/lista?{query}")
    assert response.status_code == 200, response.text
    return response.text


@pytest.fixture
async def supervisor(seeded: Runtime, make_agent: MakeAgent) -> Api:
    """A supervisor on the API (to assign, escalate, label); round-robin off, so the tests decide
    who holds what."""
    freeze_at(OPEN_INSTANT)
    api = await make_agent(Role.supervisor, name="Sílvia Supervisora")
    response = await api.patch("/api/automations/round_robin", json={"enabled": False})
    assert response.status_code == 200, response.text
    return api


async def assign(api: Api, conversation_id: int, agent_id: int) -> None:
    response = await api.post(f"/api/conversations/{conversation_id}/assign", json={"agent_id": agent_id})
    assert response.status_code == 200, response.text


# ---------------------------------------------------------------- tabs and visibility


async def test_tabs_show_what_each_person_may_see(
    make_person: MakePerson, atendimento: httpx.AsyncClient, supervisor: Api
) -> None:
    ana = await make_person(Role.agent, SupportLevel.n1)
    bia = await make_person(Role.agent, SupportLevel.n1)
    boss = await make_person(Role.supervisor, SupportLevel.n1)
    queue = await customer(atendimento, "5511900000001", name="Fila Nível Um")
    mine = await customer(atendimento, "5511900000002", name="Da Ana")
    hers = await customer(atendimento, "5511900000003", name="Da Bia")
    escalated = await customer(atendimento, "5511900000004", name="Caso Nível Dois")
    await assign(supervisor, mine, ana.agent_id)
    await assign(supervisor, hers, bia.agent_id)
    response = await supervisor.post(
        f"/api/conversations/{escalated}/escalate", json={"to_level": "N2", "reason": "Contrato"}
    )
    assert response.status_code == 201, response.text
    n2 = await make_person(Role.agent, SupportLevel.n2)  # after the escalation: nobody took it

    page = await ana.page("/conversas")  # the default tab, "Todas": hers and the queue she may take
    assert page.status_code == 200
    assert sorted(row_ids(page.text)) == sorted([mine, queue])
    assert 'id="aba-todas" href="/conversas?aba=todas" aria-current="page"' in page.text
    assert row_ids(await listed(ana, "aba=minhas")) == [mine]
    assert row_ids(await listed(ana, "aba=nao-atribuidas")) == [queue]
    everything = await listed(ana, "aba=todas")
    assert (tab_count(everything, "minhas"), tab_count(everything, "nao-atribuidas")) == (1, 1)
    assert tab_count(everything, "todas") == 2
    # Never another attendant's conversation, nor one of another level, whatever the filters say.
    for query in ("aba=todas&status=todas", "aba=todas&busca=Bia", "aba=todas&busca=Dois"):
        assert set(row_ids(await listed(ana, query))) <= {mine, queue}

    assert row_ids(await listed(n2, "aba=nao-atribuidas")) == [escalated]
    assert row_ids(await listed(n2, "aba=minhas")) == []

    assert sorted(row_ids(await listed(boss, "aba=todas"))) == sorted([queue, mine, hers, escalated])
    # A supervisor's unassigned are those of every level.
    assert sorted(row_ids(await listed(boss, "aba=nao-atribuidas"))) == sorted([queue, escalated])
    assert row_ids(await listed(boss, "aba=minhas")) == []
    assert 'title="Nível de suporte N2">N2<' in row(await listed(boss, "aba=todas"), escalated)


async def test_an_escalated_conversation_leaves_the_n1_list(
    make_person: MakePerson, atendimento: httpx.AsyncClient, supervisor: Api
) -> None:
    ana = await make_person(Role.agent, SupportLevel.n1)
    conversation = await customer(atendimento, "5511900000011")
    assert row_ids(await listed(ana, "aba=todas")) == [conversation]
    response = await supervisor.post(
        f"/api/conversations/{conversation}/escalate", json={"to_level": "N2", "reason": "Reembolso"}
    )
    assert response.status_code == 201
    assert row_ids(await listed(ana, "aba=todas")) == []


# ---------------------------------------------------------------- order, SLA, filters


async def test_ordered_by_urgency_with_the_sla_badges(
    seeded: Runtime, make_person: MakePerson, atendimento: httpx.AsyncClient, supervisor: Api
) -> None:
    boss = await make_person(Role.supervisor)
    first = await customer(atendimento, "5511900000021", name="Primeira")  # due in 60 business minutes
    move_to(OPEN_INSTANT, 5)
    second = await customer(atendimento, "5511900000022", name="Segunda")  # due at 65
    move_to(OPEN_INSTANT, 10)
    urgent = await customer(atendimento, "5511900000023", name="Urgente")
    response = await supervisor.patch(f"/api/conversations/{urgent}", json={"priority": "urgent"})
    assert response.status_code == 200  # urgent: first response due 15 minutes after it started
    move_to(OPEN_INSTANT, 12)
    answered = await customer(atendimento, "5511900000024", name="Respondida")
    await assign(supervisor, answered, supervisor.agent_id)
    response = await supervisor.post(f"/api/conversations/{answered}/messages", json={"text": "Olá!"})
    assert response.status_code in (200, 201, 202), response.text  # only the resolution is due now

    page = await listed(boss, "aba=todas")
    assert row_ids(page) == [urgent, first, second, answered]
    assert "Urgente</span>" in row(page, urgent) and "badge-danger" in row(page, urgent)
    assert "SLA no prazo" in row(page, first) and "badge-success" in row(page, first)
    assert "Normal" not in row(page, first)  # priority shown only when it is not normal

    move_to(OPEN_INSTANT, 61)  # urgent and first are past due, second at risk (80 % of 60 is 48)
    await run_monitor(seeded)
    await run_monitor(seeded)
    page = await listed(boss, "aba=todas&status=todas")
    assert row_ids(page)[:3] == [urgent, first, second]
    assert "SLA violado" in row(page, urgent) and "SLA violado" in row(page, first)
    assert "SLA em risco" in row(page, second) and "badge-warning" in row(page, second)
    assert "aguardando há </span>1 h" in row(page, first)  # (the clock drifts by the test's seconds)
    assert "tone-danger" in row(page, first)

    assert sorted(row_ids(await listed(boss, "aba=todas&status=todas&sla=violado"))) == sorted(
        [urgent, first]
    )
    assert row_ids(await listed(boss, "aba=todas&status=todas&sla=em-risco")) == [second]
    assert row_ids(await listed(boss, "aba=todas&status=todas&sla=no-prazo")) == [answered]
    assert row_ids(await listed(boss, "aba=todas&status=todas&prioridade=urgente")) == [urgent]


async def test_status_label_and_funnel_filters(
    make_person: MakePerson, atendimento: httpx.AsyncClient, supervisor: Api
) -> None:
    boss = await make_person(Role.supervisor)
    active = await customer(atendimento, "5511900000031", name="Ativa")
    done = await customer(atendimento, "5511900000032", name="Resolvida")
    closed = await customer(atendimento, "5511900000033", name="Fechada")
    assert (
        await supervisor.patch(f"/api/conversations/{done}", json={"status": "resolved"})
    ).status_code == 200
    assert (
        await supervisor.patch(f"/api/conversations/{closed}", json={"status": "closed"})
    ).status_code == 200
    labels = {item["name"]: item["id"] for item in (await supervisor.get("/api/labels")).json()}
    label_id = labels["Financeiro"]
    response = await supervisor.post(f"/api/conversations/{active}/labels", json={"label_id": label_id})
    assert response.status_code == 200
    response = await supervisor.post(f"/api/conversations/{active}/funnel", json={"stage": "qualified"})
    assert response.status_code == 200, response.text

    assert row_ids(await listed(boss, "aba=todas")) == [active]  # the default: conversations in progress
    assert row_ids(await listed(boss, "aba=todas&status=resolvidas")) == [done]
    assert row_ids(await listed(boss, "aba=todas&status=fechadas")) == [closed]
    assert sorted(row_ids(await listed(boss, "aba=todas&status=todas"))) == sorted([active, done, closed])
    assert "Resolvida</span>" in row(await listed(boss, "aba=todas&status=resolvidas"), done)
    by_label = await listed(boss, f"aba=todas&status=todas&etiqueta={label_id}")
    assert row_ids(by_label) == [active]
    assert 'class="label-chip" style="--chip: #' in row(by_label, active) and "Financeiro" in by_label
    assert row_ids(await listed(boss, "aba=todas&status=todas&etapa=qualificado")) == [active]
    assert row_ids(await listed(boss, "aba=todas&status=todas&etapa=ganho")) == []
    # A link with a value the page does not know shows the default view instead of an error.
    unknown = await listed(boss, "aba=xyz&status=nada&prioridade=?&etiqueta=abc&etapa=x&sla=y&n=-5")
    assert row_ids(unknown) == [active]
    assert refresh_state(unknown) == {"aba": "todas", "n": "50"}
    assert row_ids(await listed(boss, "aba=minhas&status=nada")) == []

    page = await boss.page(f"/conversas?aba=todas&status=todas&etiqueta={label_id}&etapa=qualificado")
    assert f'<option value="{label_id}" selected>Financeiro</option>' in page.text
    assert '<option value="qualificado" selected>Qualificado</option>' in page.text
    assert '<option value="todas" selected>Todas as situações</option>' in page.text
    assert '<span id="filtros-contagem"> <span class="count">2<' in page.text  # two behind "Filtros"
    region = await listed(boss, "aba=todas&status=todas&prioridade=alta")
    assert '<span id="filtros-contagem" hx-swap-oob="true"> <span class="count">1<' in region


# ---------------------------------------------------------------- search


async def test_search_by_name_phone_digits_or_message_text(
    make_person: MakePerson, atendimento: httpx.AsyncClient, supervisor: Api
) -> None:
    boss = await make_person(Role.supervisor)
    rosa = await customer(atendimento, "5511987654321", name="Dona Rosa Amaral", text="Bom dia")
    joao = await customer(atendimento, "5521912340000", name="João Pedro", text="Preciso de fisioterapia")
    await customer(atendimento, "5531955550000", name="Carla", text="Olá")

    by_name = await listed(boss, "aba=todas&busca=rosa")
    assert row_ids(by_name) == [rosa]  # any case, part of the name
    assert 'class="inbox-tab-count"' not in by_name  # no tab counts while searching (a search reads messages)
    assert row_ids(await listed(boss, "aba=todas&busca=98765")) == [rosa]  # phone digits
    assert row_ids(await listed(boss, "aba=todas&busca=%2811%29+98765-4321")) == [rosa]  # as it is shown
    assert row_ids(await listed(boss, "aba=todas&busca=FISIOTERAPIA")) == [joao]  # message text
    empty = await listed(boss, "aba=todas&busca=xilofone")
    assert row_ids(empty) == []
    assert "Nenhuma conversa encontrada" in empty and "xilofone" in empty and "Limpar filtros" in empty
    # The search box stays outside the region that refreshes; the region carries the search along.
    page = await boss.page("/conversas?aba=todas&busca=rosa")
    assert row_ids(page.text) == [rosa]
    assert 'value="rosa"' in page.text
    region = page.text[page.text.index('id="lista-conversas"') :]
    assert 'id="busca"' not in region
    assert refresh_state(region) == {"aba": "todas", "busca": "rosa", "n": "50"}
    pane = page.text[: page.text.index('id="lista-conversas"')]
    assert 'hx-get="/conversas/lista" hx-include="#lista-estado"' in pane  # the live refresh


# ---------------------------------------------------------------- rows


async def test_a_row_shows_name_phone_preview_level_and_labels(
    make_person: MakePerson, atendimento: httpx.AsyncClient, supervisor: Api
) -> None:
    boss = await make_person(Role.supervisor)
    long_name = "Maria Aparecida dos Santos Oliveira Cavalcanti de Albuquerque"
    conversation = await customer(atendimento, "5511912345678", name=long_name, text="Minha mãe caiu ontem")
    payload = received(f"INBOX-{next(_ids)}", phone="5511912345678", senderName=long_name, chatName=long_name)
    del payload["text"]
    payload["image"] = {
        "imageUrl": "https://example.com/x.jpg",
        "caption": "Receita",
        "mimeType": "image/jpeg",
    }
    response = await post_webhook(atendimento, payload)
    assert response.status_code == 200, response.text
    note = await supervisor.post(f"/api/conversations/{conversation}/notes", json={"text": "Nota interna"})
    assert note.status_code in (200, 201), note.text

    html = row(await listed(boss, "aba=todas"), conversation)
    assert long_name in html and "(11) 91234-5678" in html
    assert "Imagem: Receita" in html and "Nota interna" not in html  # notes are not previews
    assert "data-nav-item" in html and 'href="/conversas/' in html
    assert ">N1<" in html and ("chegou" in html or "aguardando há" in html)  # the level, the wait
    phoneless = await customer(atendimento, "5511900000099", name="")
    html = row(await listed(boss, "aba=todas"), phoneless)
    assert 'class="inbox-name">(11) 90000-0099<' in html


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


# ---------------------------------------------------------------- cost of a page


class QueryLog:
    """The SELECTs an engine ran (SQLAlchemy cursor events)."""

    def __init__(self, rt: Runtime) -> None:
        self.engine = rt.db("atendimento").engine.sync_engine
        self.statements: list[tuple[str, Any]] = []

    def __enter__(self) -> QueryLog:
        event.listen(self.engine, "before_cursor_execute", self._record)
        return self

    def __exit__(self, *_: object) -> None:
        event.remove(self.engine, "before_cursor_execute", self._record)

    def _record(self, conn: Any, cursor: Any, sql: str, params: Any, context: Any, many: bool) -> None:
        self.statements.append((sql, params))

    @property
    def selects(self) -> list[tuple[str, Any]]:
        return [(sql, p) for sql, p in self.statements if sql.lstrip().upper().startswith(("SELECT", "WITH"))]


async def test_a_page_costs_the_same_queries_for_3_or_53_conversations_through_indexes(
    seeded: Runtime, make_person: MakePerson, atendimento: httpx.AsyncClient, supervisor: Api
) -> None:
    boss = await make_person(Role.supervisor)
    ana = await make_person(Role.agent, SupportLevel.n1)
    labels = [item["id"] for item in (await supervisor.get("/api/labels")).json()]
    for n in range(3):
        conversation = await customer(atendimento, f"55119200{n:05d}")
        await supervisor.post(f"/api/conversations/{conversation}/labels", json={"label_id": labels[0]})
        await assign(supervisor, conversation, ana.agent_id)

    async def cost(person: Person, query: str) -> list[tuple[str, Any]]:
        with QueryLog(seeded) as log:
            await listed(person, query)
        return log.selects

    small = [len(await cost(p, "aba=todas")) for p in (boss, ana)]
    for n in range(3, 53):
        conversation = await customer(atendimento, f"55119200{n:05d}")
        await supervisor.post(f"/api/conversations/{conversation}/labels", json={"label_id": labels[n % 3]})
        await assign(supervisor, conversation, ana.agent_id)
    large = [len(await cost(p, "aba=todas")) for p in (boss, ana)]
    assert large == small  # no query per row: labels, previews and unread counts come in one each
    first = await cost(ana, f"aba=todas&aberta={conversation}")
    assert len(first) <= small[1] + 3  # marking the open conversation read: a few more, not per row

    if seeded.db("atendimento").backend != "sqlite":
        return  # the plans checked are SQLite's
    statements = [
        *first,
        *await cost(boss, "aba=todas&status=todas&busca=maria&sla=no-prazo&prioridade=alta"),
        *await cost(ana, f"aba=nao-atribuidas&etiqueta={labels[0]}&etapa=novo"),
        *await cost(boss, "aba=todas&status=todas&busca=maria"),
        *await cost(boss, "aba=minhas&status=resolvidas"),
    ]
    tables = (
        "conversations",
        "messages",
        "sla_targets",
        "sla_conversations",
        "contacts",
        "conversation_labels",
    )
    engine = seeded.db("atendimento").engine
    async with engine.connect() as connection:
        for sql, params in statements:
            if not any(t in sql for t in tables):
                continue
            plan = (await connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}", params)).all()
            details = [str(item[-1]) for item in plan]
            scans = [
                d for d in details if d.startswith(tuple(f"SCAN {t}" for t in tables)) and "INDEX" not in d
            ]
            assert not scans, (sql, details)
