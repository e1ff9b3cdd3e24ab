"""The inbox list (left pane of the workspace), as a browser receives it: tabs and visibility,
urgency order with the SLA badges, filters, search, and what a row shows."""

from __future__ import annotations

import httpx

from carinho.atendimento.agents.models import Role, SupportLevel
from carinho.runtime import Runtime
from tests.atendimento.conftest import OPEN_INSTANT, Api, post_webhook, received
from tests.atendimento.sla.support import move_to, run_monitor
from tests.atendimento.web.conftest import MakePerson
from tests.atendimento.web.inbox_support import (
    assign,
    customer,
    listed,
    message_ids,
    refresh_state,
    row,
    row_ids,
    tab_count,
)

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
    payload = received(
        f"INBOX-{next(message_ids)}", phone="5511912345678", senderName=long_name, chatName=long_name
    )
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
