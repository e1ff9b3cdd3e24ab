"""The conversation's side panel without a browser: every section in its states, and every action
through the same services as the API (refusals included), as htmx asks for them."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from typing import Any
from urllib.parse import unquote

import httpx
from sqlalchemy import select

from carinho.atendimento.agents.models import Role, SupportLevel
from carinho.atendimento.funnel.models import DocumentDispatch, LossReason
from carinho.atendimento.inbox.models import Contact, Conversation
from carinho.atendimento.incidents.models import Incident, IncidentCategory
from carinho.atendimento.sla.monitor import run_monitor
from carinho.atendimento.triage.models import TriageAnswer, TriageSession
from carinho.kit import clock
from carinho.runtime import Runtime
from tests.atendimento.conftest import CLOSED_INSTANT, OPEN_INSTANT, freeze_at, post_webhook, received
from tests.atendimento.web.conftest import MakePerson, Person

counter = {"n": 0}


async def new_conversation(person: Person, text: str = "Olá, preciso de uma cuidadora") -> int:
    """A customer's first message, through the real webhook path; returns the conversation id."""
    counter["n"] += 1
    phone = f"551198{counter['n']:07d}"
    response = await post_webhook(person.client, received(f"PANEL{counter['n']}", phone=phone, text=text))
    assert response.status_code == 200, response.text
    return int(response.json()["conversation_id"])


async def section(person: Person, conversation_id: int, name: str, **params: Any) -> httpx.Response:
    return await person.htmx("GET", f"/conversas/{conversation_id}/painel/{name}", params=params)


async def act(person: Person, conversation_id: int, action: str, data: dict[str, Any]) -> httpx.Response:
    return await person.htmx("POST", f"/conversas/{conversation_id}/{action}", data=data)


async def api(person: Person, method: str, url: str, body: Any = None) -> httpx.Response:
    """The JSON API with the person's session cookie (and CSRF header), as the pages' JS would."""
    return await person.client.request(method, url, json=body, headers={"x-csrf-token": person.csrf})


def toast(response: httpx.Response) -> str:
    return str(json.loads(response.headers["hx-trigger"])["carinho-toast"]["message"])


def refusal(response: httpx.Response) -> str:
    return unquote(response.headers.get("x-carinho-mensagem", ""))


def text_of(html: str) -> str:
    """The visible words, whitespace collapsed (assertions read like what a person sees)."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


async def conversation_row(rt: Runtime, conversation_id: int) -> Conversation:
    async with rt.db("atendimento").session() as session:
        row = await session.get(Conversation, conversation_id)
        assert row is not None
        return row


async def n1_with_conversation(
    make_person: MakePerson, text: str = "Olá, preciso de uma cuidadora"
) -> tuple[Person, int]:
    """An N1 attendant and a new conversation the round-robin gave them."""
    freeze_at(OPEN_INSTANT)
    ana = await make_person(Role.agent, SupportLevel.n1)
    conversation_id = await new_conversation(ana, text)
    return ana, conversation_id


# ---------------------------------------------------------------------- the whole panel


async def test_the_page_shows_every_section_with_a_heading_in_order(
    seeded: Runtime, make_person: MakePerson
) -> None:
    ana, conversation_id = await n1_with_conversation(make_person)
    page = await ana.htmx("GET", f"/conversas/{conversation_id}/painel")
    assert page.status_code == 200, page.text
    aside = page.text[page.text.index('<aside class="pane pane-side"') :]
    assert 'aria-label="Detalhes da conversa"' in aside
    headings = re.findall(r"<h([23])[^>]*>([^<]+)</h\1>", aside.split("<dialog")[0])
    assert headings[0] == ("2", "Detalhes da conversa")
    titles = [t for level, t in re.findall(r'<h(3) id="painel-[a-z]+-titulo"[^>]*>([^<]+)</h3>', aside)]
    assert titles == [
        "Prazos (SLA)",
        "Nível de atendimento",
        "Funil de vendas",
        "Triagem",
        "Ocorrências",
        "Contato",
        "Histórico",
    ]
    words = text_of(aside)
    # (the clock runs while the test does: a minute may pass)
    match = re.search(r"Primeira resposta no prazo (vence em [^(]+)\(", words)
    assert match and match.group(1).strip() in ("vence em 1 h 00 min", "vence em 59 min", "vence em 58 min")
    assert "(horário comercial)" in words
    assert "Com Pessoa" in words and "Escalar" in words
    assert "Novo" in words and "Marcar como perdido" in words
    assert "0 de 7 obrigatórias" in words
    assert "Nenhuma ocorrência nesta conversa." in words
    assert "(11) 98" in words  # the phone, formatted
    assert "Conversa criada" in words and "Atribuição" in words
    # each live section refreshes itself on the conversation's event, never over someone's typing
    assert f'hx-trigger="carinho-live-{conversation_id}[!this.querySelector(' in aside
    # the emergency slot (empty) is ready for an emergency to appear live
    slot = await section(ana, conversation_id, "emergencia")
    assert f'id="emergencia-{conversation_id}"' in slot.text and 'role="alert"' not in slot.text


async def test_another_attendants_conversation_panel_is_refused(
    seeded: Runtime, make_person: MakePerson
) -> None:
    ana, conversation_id = await n1_with_conversation(make_person)
    bia = await make_person(Role.agent, SupportLevel.n1)
    page = await bia.page(f"/conversas/{conversation_id}/painel")
    assert page.status_code == 403 and "Acesso negado" in page.text
    # a live refresh of a panel the person lost says so in place, instead of failing every section
    lost = await section(bia, conversation_id, "sla")
    assert lost.status_code == 200 and lost.headers["hx-retarget"] == "#painel-conversa"
    assert "Você não tem mais acesso a esta conversa." in lost.text
    assert "atribuída a outro atendente" in lost.text
    refused = await act(bia, conversation_id, "funil", {"etapa": "in_service"})
    assert refused.status_code == 403 and "outro atendente" in refusal(refused)
    unknown = await section(ana, conversation_id, "nada")
    assert unknown.status_code == 404


# ---------------------------------------------------------------------- SLA


async def test_sla_counts_business_time_and_says_when_the_clock_is_stopped(
    seeded: Runtime, make_person: MakePerson
) -> None:
    freeze_at(CLOSED_INSTANT)  # Tuesday 22:00: closed until Wednesday 08:00
    ana = await make_person(Role.agent, SupportLevel.n1)
    conversation_id = await new_conversation(ana)
    closed = await section(ana, conversation_id, "sla")
    words = text_of(closed.text)
    assert "fora do expediente" in words
    assert "pausado — fora do expediente, retoma amanhã 08:00" in words
    assert "vence em 1 h 00 min" in words  # none of the night counts
    assert 'data-running="0"' in closed.text and 'data-running="1"' not in closed.text
    assert "load delay:21600s" in closed.text  # it refreshes itself (at most 6 h later, or when it opens)

    freeze_at(OPEN_INSTANT + timedelta(days=1))  # Wednesday 10:00: two business hours later
    running = text_of((await section(ana, conversation_id, "sla")).text)
    assert "Primeira resposta" in running and re.search(r"atrasado 1 h 0[01] min", running)
    assert "pausado" not in running


async def test_sla_at_risk_breached_met_and_paused_while_waiting_for_the_customer(
    seeded: Runtime, make_person: MakePerson
) -> None:
    ana, conversation_id = await n1_with_conversation(make_person)
    boss = await make_person(Role.supervisor, SupportLevel.n3)
    fresh = await section(ana, conversation_id, "sla")
    assert 'data-running="1"' in fresh.text and "no prazo" in fresh.text

    clock.advance(timedelta(minutes=50))  # 80 % of the hour: at risk
    async with seeded.db("atendimento").session() as session:
        await run_monitor(session)
        await session.commit()
    at_risk = text_of((await section(ana, conversation_id, "sla")).text)
    assert "em risco" in at_risk and re.search(r"vence em (10|9) min", at_risk)

    clock.advance(timedelta(minutes=15))  # past the hour: breached (the rule then takes it to N2)
    async with seeded.db("atendimento").session() as session:
        await run_monitor(session)
        await session.commit()
    breached = text_of((await section(boss, conversation_id, "sla")).text)
    # the "SLA violado" rule raised it to N2 and high priority: the target is now 30 minutes
    assert (
        "violado" in breached and "Prioridade alta" in breached and re.search(r"atrasado 3[56] min", breached)
    )

    reply = await api(
        boss, "POST", f"/api/conversations/{conversation_id}/messages", {"text": "Olá! Já vamos ajudar."}
    )
    assert reply.status_code == 202, reply.text
    met = text_of((await section(boss, conversation_id, "sla")).text)
    assert "Cumprido fora do prazo" in met

    waiting = await api(
        boss, "PATCH", f"/api/conversations/{conversation_id}", {"status": "waiting_customer"}
    )
    assert waiting.status_code == 200, waiting.text
    paused = await section(boss, conversation_id, "sla")
    assert "pausado — aguardando o cliente" in text_of(paused.text)
    assert 'data-running="1"' not in paused.text


async def test_a_resolved_conversation_shows_its_targets_met_and_no_level_change(
    seeded: Runtime, make_person: MakePerson
) -> None:
    ana, conversation_id = await n1_with_conversation(make_person)
    reply = await api(
        ana, "POST", f"/api/conversations/{conversation_id}/messages", {"text": "Olá! Posso ajudar."}
    )
    assert reply.status_code == 202, reply.text
    clock.advance(timedelta(minutes=30))
    resolved = await api(ana, "PATCH", f"/api/conversations/{conversation_id}", {"status": "resolved"})
    assert resolved.status_code == 200, resolved.text
    panel = await ana.htmx("GET", f"/conversas/{conversation_id}/painel")
    words = text_of(panel.text)
    assert "Prazos (SLA) cumprido" in words
    assert "Primeira resposta cumprido Cumprido no prazo" in words
    assert re.search(r"Resolução cumprido Cumprido no prazo: (29|30|31) min úteis", words)
    assert "data-countdown" not in panel.text  # nothing ticks
    assert "Conversa encerrada: o nível não muda mais." in words and "escalar-" not in panel.text


# ---------------------------------------------------------------------- escalation


async def test_an_n1_attendant_escalating_to_n2_loses_the_conversation_and_is_told(
    seeded: Runtime, make_person: MakePerson
) -> None:
    ana, conversation_id = await n1_with_conversation(make_person)
    bruno = await make_person(Role.agent, SupportLevel.n2)
    page = await section(ana, conversation_id, "nivel")
    assert f'data-open-dialog="escalar-{conversation_id}"' in page.text
    assert "a conversa sai da sua lista" in page.text

    no_reason = await act(ana, conversation_id, "escalar", {"motivo": "", "nivel": "N2"})
    assert no_reason.status_code == 400 and "Informe o motivo" in refusal(no_reason)
    assert (await conversation_row(seeded, conversation_id)).level == "N1"

    done = await act(ana, conversation_id, "escalar", {"motivo": "Cliente pede reembolso", "nivel": "N2"})
    assert done.status_code == 200, done.text
    assert json.loads(done.headers["hx-location"])["path"] == "/conversas"
    assert "Conversa escalada para N2." in toast(done) and "saiu da sua lista" in toast(done)
    row = await conversation_row(seeded, conversation_id)
    assert (row.level, row.assignee_id) == ("N2", bruno.agent_id)

    # it left Ana's view: what she asks of it is the 403 page, Bruno's shows it at N2
    gone = await ana.page(f"/conversas/{conversation_id}/painel")
    assert gone.status_code == 403 and "Acesso negado" in gone.text
    assert "conversas" in (await ana.page("/conversas")).text.lower()
    level = text_of((await section(bruno, conversation_id, "nivel")).text)
    assert "Com Pessoa" in level and "Escalada N1 → N2" in level and "Cliente pede reembolso" in level


async def test_a_supervisor_escalates_and_brings_back_a_level(
    seeded: Runtime, make_person: MakePerson
) -> None:
    _ana, conversation_id = await n1_with_conversation(make_person)
    boss = await make_person(Role.supervisor, SupportLevel.n3)
    up = await act(
        boss,
        conversation_id,
        "escalar",
        {"motivo": "Contrato em disputa", "nivel": "N3", "avisar_operacao": "1"},
    )
    assert up.status_code == 200 and "hx-location" not in up.headers
    assert toast(up) == "Conversa escalada para N3."
    assert 'id="painel-nivel"' in up.text and 'aria-current="step">N3' in up.text
    assert 'id="painel-historico" ' in up.text and 'hx-swap-oob="true"' in up.text  # the trail, out of band
    assert "autofocus" in up.text.split('id="painel-historico"')[0]  # the changed section takes the focus

    # an N3 attendant who does not hold it sees it (unassigned, their level) but may not bring it down
    n3 = await make_person(Role.agent, SupportLevel.n3)
    seen = await section(n3, conversation_id, "nivel")
    assert seen.status_code == 200 and "Desescalar" not in seen.text
    refused = await act(n3, conversation_id, "desescalar", {"motivo": "Resolvido", "nivel": "N1"})
    assert refused.status_code == 403 and "só o atendente responsável ou um supervisor" in refusal(refused)

    down = await act(boss, conversation_id, "desescalar", {"motivo": "Dúvida resolvida", "nivel": "N1"})
    assert down.status_code == 200, down.text
    assert toast(down) == "Conversa devolvida ao nível N1."
    assert (await conversation_row(seeded, conversation_id)).level == "N1"


# ---------------------------------------------------------------------- triage


async def test_triage_answers_are_saved_one_by_one_and_validated(
    seeded: Runtime, make_person: MakePerson
) -> None:
    ana, conversation_id = await n1_with_conversation(make_person)
    saved = await act(ana, conversation_id, "triagem", {"pergunta": "idade", "valor": "84"})
    assert saved.status_code == 200, saved.text
    assert f'id="tq-{conversation_id}-idade"' in saved.text and "Resposta salva." in saved.text
    assert 'value="84"' in saved.text
    assert (
        f'id="triagem-progresso-{conversation_id}" class="triage-progress" hx-swap-oob="true"' in saved.text
    )
    assert "1 de 7" in text_of(saved.text)

    wrong = await act(ana, conversation_id, "triagem", {"pergunta": "idade", "valor": "oitenta"})
    assert wrong.status_code == 200
    assert "informe um número" in wrong.text and 'aria-invalid="true"' in wrong.text
    assert 'value="oitenta"' in wrong.text  # what was typed stays, to be corrected
    empty = await act(ana, conversation_id, "triagem", {"pergunta": "quem_precisa", "valor": ""})
    assert "a pergunta é obrigatória" in empty.text
    choice = await act(
        ana, conversation_id, "triagem", {"pergunta": "condicao", "valor": ["Acamado", "Pós-operatório"]}
    )
    assert choice.status_code == 200 and "Resposta salva." in choice.text
    yes = await act(ana, conversation_id, "triagem", {"pergunta": "atende_area", "valor": "sim"})
    assert "Resposta salva." in yes.text and 'value="sim" checked' in yes.text
    async with seeded.db("atendimento").session() as session:
        answers = {a.question_id: a.value for a in (await session.execute(select(TriageAnswer))).scalars()}
    # the refused ones are not saved
    assert sorted(answers.values(), key=str) == [84, True, ["Pós-operatório", "Acamado"]]

    decimal = await act(ana, conversation_id, "triagem", {"pergunta": "orcamento", "valor": "4.500,50"})
    assert "Resposta salva." in decimal.text
    page = text_of((await section(ana, conversation_id, "triagem")).text)
    assert "3 de 7 obrigatórias" in page and "4 de 11 respondidas" in page and "Em andamento" in page


async def test_triage_completes_qualifies_the_lead_and_moves_the_funnel(
    seeded: Runtime, make_person: MakePerson
) -> None:
    ana, conversation_id = await n1_with_conversation(make_person)
    answers = [
        ("quem_precisa", "Pai ou mãe"),
        ("idade", "81"),
        ("condicao", "Mobilidade reduzida"),
        ("cidade_bairro", "São Paulo, Vila Mariana"),
        ("atende_area", "sim"),
        ("turno", "Noturno (12h)"),
    ]
    for code, value in answers:
        response = await act(ana, conversation_id, "triagem", {"pergunta": code, "valor": value})
        assert "Resposta salva." in response.text, response.text
    last = await act(ana, conversation_id, "triagem", {"pergunta": "data_inicio", "valor": "2026-12-10"})
    assert last.headers["hx-retarget"] == "#painel-triagem"
    assert toast(last) == "Triagem concluída: lead qualificado."
    words = text_of(last.text)
    assert "Lead qualificado" in words and "10/12/2026" in words and "Noturno (12h)" in words
    assert 'id="painel-funil"' in last.text and "Qualificado" in words  # the funnel moved, out of band
    assert (await conversation_row(seeded, conversation_id)).funnel_stage == "qualified"
    async with seeded.db("atendimento").session() as session:
        triage = (await session.execute(select(TriageSession))).scalar_one()
    assert (triage.status, triage.outcome) == ("completed", "qualified")
    again = await act(ana, conversation_id, "triagem", {"pergunta": "decisor", "valor": "Filha"})
    assert again.status_code == 409 and "já foi concluída" in refusal(again)


async def test_a_disqualifying_answer_says_so(seeded: Runtime, make_person: MakePerson) -> None:
    ana, conversation_id = await n1_with_conversation(make_person)
    for code, value in [
        ("quem_precisa", "Cônjuge"),
        ("idade", "70"),
        ("condicao", "Acamado"),
        ("cidade_bairro", "Campinas"),
        ("turno", "24 horas"),
        ("data_inicio", "2026-12-20"),
    ]:
        await act(ana, conversation_id, "triagem", {"pergunta": code, "valor": value})
    done = await act(ana, conversation_id, "triagem", {"pergunta": "atende_area", "valor": "nao"})
    assert toast(done) == "Triagem concluída: lead não qualificado."
    words = text_of(done.text)
    assert "Lead não qualificado" in words
    assert "Pela resposta a “O endereço está dentro da nossa área de atendimento?”" in words
    assert (await conversation_row(seeded, conversation_id)).funnel_stage == "new"


# ---------------------------------------------------------------------- funnel


async def test_lost_is_refused_without_a_loss_reason_and_accepted_with_one(
    seeded: Runtime, make_person: MakePerson
) -> None:
    ana, conversation_id = await n1_with_conversation(make_person)
    panel = await section(ana, conversation_id, "funil")
    # only the moves the service allows from Novo
    assert '"etapa": "in_service"' in panel.text and '"etapa": "qualified"' in panel.text
    assert '"etapa": "won"' not in panel.text and '"etapa": "proposal_sent"' not in panel.text

    refused = await act(ana, conversation_id, "funil", {"etapa": "lost", "motivo": "", "nota": "Achou caro"})
    assert refused.status_code == 400
    assert refusal(refused) == "Informe o motivo da perda para marcar a conversa como Perdido."
    assert (await conversation_row(seeded, conversation_id)).funnel_stage == "new"

    not_allowed = await act(ana, conversation_id, "funil", {"etapa": "won"})
    assert not_allowed.status_code == 409 and "Transição não permitida: Novo → Ganho" in refusal(not_allowed)

    async with seeded.db("atendimento").session() as session:
        price = (await session.execute(select(LossReason).where(LossReason.code == "preco"))).scalar_one()
    accepted = await act(
        ana, conversation_id, "funil", {"etapa": "lost", "motivo": str(price.id), "nota": "Achou caro"}
    )
    assert accepted.status_code == 200, accepted.text
    assert toast(accepted) == "Conversa marcada como Perdido (motivo: Preço)."
    row = await conversation_row(seeded, conversation_id)
    assert (row.funnel_stage, row.loss_reason_id, row.loss_note) == ("lost", price.id, "Achou caro")
    words = text_of(accepted.text)
    assert "Perdido · motivo: Preço" in words and "“Achou caro”" in words
    assert "Reabrir: Em atendimento" in words and "Marcar como perdido" not in words


async def test_the_funnel_walks_to_won(seeded: Runtime, make_person: MakePerson) -> None:
    ana, conversation_id = await n1_with_conversation(make_person)
    for stage in ("in_service", "qualified", "proposal_sent"):
        moved = await act(ana, conversation_id, "funil", {"etapa": stage})
        assert moved.status_code == 200, refusal(moved)
    won = await act(ana, conversation_id, "funil", {"etapa": "won"})
    assert toast(won) == "Etapa do funil: Ganho."
    assert "Ganho!" in text_of(won.text) and "hx-post" not in won.text.split("<dialog")[0]


# ---------------------------------------------------------------------- incidents and emergencies


async def test_an_incident_is_registered_and_listed(seeded: Runtime, make_person: MakePerson) -> None:
    ana, conversation_id = await n1_with_conversation(make_person)
    page = await section(ana, conversation_id, "ocorrencias")
    assert "Nenhuma ocorrência nesta conversa." in page.text
    assert "Reclamação" in page.text and "Emergência de saúde (emergência)" in page.text
    no_title = await act(ana, conversation_id, "ocorrencias", {"categoria": "", "titulo": ""})
    assert no_title.status_code == 400 and "título" in refusal(no_title)
    async with seeded.db("atendimento").session() as session:
        late = (
            await session.execute(select(IncidentCategory).where(IncidentCategory.code == "atraso_cuidador"))
        ).scalar_one()
    done = await act(
        ana,
        conversation_id,
        "ocorrencias",
        {
            "categoria": str(late.id),
            "gravidade": "high",
            "titulo": "Cuidadora chegou 2 horas atrasada",
            "descricao": "Cliente ligou às 9h",
        },
    )
    assert done.status_code == 200, refusal(done)
    assert toast(done) == "Ocorrência registrada: Cuidadora chegou 2 horas atrasada."
    words = text_of(done.text)
    assert "Cuidadora chegou 2 horas atrasada" in words and "Aberta" in words and "Gravidade alta" in words
    assert "1 em aberto" in words
    async with seeded.db("atendimento").session() as session:
        incident = (await session.execute(select(Incident))).scalar_one()
    assert (incident.conversation_id, incident.severity, incident.owner_id, incident.is_emergency) == (
        conversation_id,
        "high",
        ana.agent_id,
        False,
    )


async def test_an_incident_moves_through_its_statuses_resolution_required(
    seeded: Runtime, make_person: MakePerson
) -> None:
    ana, conversation_id = await n1_with_conversation(make_person)
    async with seeded.db("atendimento").session() as session:
        other = (
            await session.execute(select(IncidentCategory).where(IncidentCategory.code == "outro"))
        ).scalar_one()
    await act(ana, conversation_id, "ocorrencias", {"categoria": str(other.id), "titulo": "Boleto duplicado"})
    async with seeded.db("atendimento").session() as session:
        incident = (await session.execute(select(Incident))).scalar_one()
    url = f"ocorrencias/{incident.id}/status"
    listed = await section(ana, conversation_id, "ocorrencias")
    assert "Iniciar atendimento" in listed.text and "Resolver" not in listed.text  # only the allowed moves
    started = await act(ana, conversation_id, url, {"status": "in_progress"})
    assert toast(started) == "Ocorrência em andamento: Boleto duplicado."
    assert "Em andamento" in started.text and ">Resolver</summary>" in started.text
    unresolved = await act(ana, conversation_id, url, {"status": "resolved", "resolucao": " "})
    assert unresolved.status_code == 400
    assert refusal(unresolved) == "Informe a resolução para resolver a ocorrência."
    skipped = await act(ana, conversation_id, url, {"status": "closed"})
    assert skipped.status_code == 409 and "Transição inválida: Em andamento → Fechada" in refusal(skipped)
    resolved = await act(
        ana, conversation_id, url, {"status": "resolved", "resolucao": "Segundo boleto cancelado"}
    )
    assert resolved.status_code == 200, refusal(resolved)
    words = text_of(resolved.text)
    assert "Resolvida" in words and "Resolução: Segundo boleto cancelado" in words
    assert "Reabrir" in words and "Fechar" in words and "em aberto" not in words
    async with seeded.db("atendimento").session() as session:
        row = await session.get(Incident, incident.id)
        assert row is not None and (row.status, row.resolution) == ("resolved", "Segundo boleto cancelado")
    stranger = await make_person(Role.agent, SupportLevel.n1)
    refused = await act(stranger, conversation_id, url, {"status": "closed"})
    assert refused.status_code == 403


async def test_an_emergency_message_shows_the_banner_until_acknowledged(
    seeded: Runtime, make_person: MakePerson
) -> None:
    freeze_at(OPEN_INSTANT)
    boss = await make_person(Role.supervisor, SupportLevel.n3)
    other = await make_person(Role.supervisor, SupportLevel.n3)
    conversation_id = await new_conversation(boss, "Socorro! Minha mãe desmaiou no banheiro")
    banner = (await section(boss, conversation_id, "emergencia")).text
    page = await boss.htmx("GET", f"/conversas/{conversation_id}/painel")
    assert 'class="emergency-banner" role="alert"' in banner
    assert "Emergência de saúde em andamento. A operação foi acionada" in text_of(banner)
    assert "Reconhecer emergência" in banner
    assert 'aria-current="step">N3' in page.text  # the emergency took it to N3
    assert "Emergência" in text_of(page.text.split('id="painel-ocorrencias"')[1])
    # anyone with it open refreshes the banner on the conversation's live event: still there
    assert "Reconhecer emergência" in (await section(other, conversation_id, "emergencia")).text

    async with seeded.db("atendimento").session() as session:
        incident = (await session.execute(select(Incident))).scalar_one()
    attendant = await make_person(Role.agent, SupportLevel.n3)
    redeliver = await act(attendant, conversation_id, "emergencia/reenviar", {"ocorrencia": str(incident.id)})
    assert redeliver.status_code == 403  # a supervisor's action, as in the API

    ack = await act(boss, conversation_id, "emergencia/reconhecer", {"ocorrencia": str(incident.id)})
    assert ack.status_code == 200, refusal(ack)
    assert toast(ack) == "Emergência reconhecida: você está cuidando do caso."
    assert ack.text.startswith(f'<div id="emergencia-{conversation_id}"') and 'role="alert"' not in ack.text
    assert f"Reconhecida por {'Pessoa 1'}" in text_of(ack.text)
    async with seeded.db("atendimento").session() as session:
        assert (await session.get(Incident, incident.id)).acknowledged_by_id == boss.agent_id  # type: ignore[union-attr]
    # gone for the other supervisor too; the incident says who took charge
    assert 'role="alert"' not in (await section(other, conversation_id, "emergencia")).text
    assert "Reconhecida por" in text_of((await section(other, conversation_id, "ocorrencias")).text)


async def test_an_emergency_registered_from_the_panel_starts_the_emergency_flow(
    seeded: Runtime, make_person: MakePerson
) -> None:
    ana, conversation_id = await n1_with_conversation(make_person)
    async with seeded.db("atendimento").session() as session:
        fall = (
            await session.execute(select(IncidentCategory).where(IncidentCategory.code == "queda_acidente"))
        ).scalar_one()
    done = await act(
        ana, conversation_id, "ocorrencias", {"categoria": str(fall.id), "titulo": "Queda no quarto"}
    )
    assert done.status_code == 200, refusal(done)
    assert toast(done) == "Emergência comunicada: a operação e os supervisores foram acionados."
    # Ana holds it, so she keeps it at N3; the banner arrives out of band, the level and SLA too
    assert (
        f'id="emergencia-{conversation_id}" class="emergency-slot"' in done.text
        and 'role="alert"' in done.text
    )
    assert 'aria-current="step">N3' in done.text and "Prioridade urgente" in done.text
    row = await conversation_row(seeded, conversation_id)
    assert (row.level, row.priority) == ("N3", "urgent")


# ---------------------------------------------------------------------- contact and proposal


async def test_the_contact_is_edited_and_links_to_the_crm_lead(
    seeded: Runtime, make_person: MakePerson
) -> None:
    ana, conversation_id = await n1_with_conversation(make_person)
    row = await conversation_row(seeded, conversation_id)
    async with seeded.db("atendimento").session() as session:
        contact = await session.get(Contact, row.contact_id)
        assert contact is not None
        contact.crm_lead_id = "4521"
        await session.commit()
    seeded.settings.carinho_crm_url = "https://crm.carinho.com.vc"
    try:
        page = await section(ana, conversation_id, "contato")
    finally:
        seeded.settings.carinho_crm_url = ""
    assert 'href="https://crm.carinho.com.vc/leads/4521" target="_blank" rel="noopener"' in page.text
    assert "Lead 4521" in page.text
    assert "Lead 4521" in (await section(ana, conversation_id, "contato")).text  # no CRM address: no link

    bad = await act(ana, conversation_id, "contato", {"nome": "Maria Souza", "email": "maria@"})
    assert bad.status_code == 400 and refusal(bad) == "Informe um e-mail válido."
    empty = await act(ana, conversation_id, "contato", {"nome": " ", "email": ""})
    assert empty.status_code == 400 and "nome do contato" in refusal(empty)
    saved = await act(
        ana, conversation_id, "contato", {"nome": "Maria Aparecida Souza", "email": "Maria@Exemplo.com.br"}
    )
    assert saved.status_code == 200, refusal(saved)
    trigger = json.loads(saved.headers["hx-trigger"])
    assert trigger["carinho-toast"]["message"] == "Contato atualizado."
    assert f"carinho-live-{conversation_id}" in trigger  # the header and the list show the new name too
    assert "Maria Aparecida Souza" in saved.text and "maria@exemplo.com.br" in saved.text
    async with seeded.db("atendimento").session() as session:
        contact = await session.get(Contact, row.contact_id)
        assert contact is not None and (contact.name, contact.email) == (
            "Maria Aparecida Souza",
            "maria@exemplo.com.br",
        )


async def test_the_proposal_greets_by_first_name_without_the_honorific(make_person: MakePerson) -> None:
    ana, conversation_id = await n1_with_conversation(make_person)
    saved = await act(
        ana, conversation_id, "contato", {"nome": "Dona Rosa Lima", "email": "rosa@exemplo.com.br"}
    )
    assert saved.status_code == 200, refusal(saved)
    text = text_of((await section(ana, conversation_id, "contato")).text)
    assert "Olá, Rosa!" in text and "Olá, Dona!" not in text


async def test_the_proposal_goes_by_email_and_moves_a_qualified_lead(
    seeded: Runtime, make_person: MakePerson
) -> None:
    ana, conversation_id = await n1_with_conversation(make_person)
    form = {"assunto": "Proposta de atendimento", "mensagem": "Segue a proposta.", "link": ""}
    no_address = await act(ana, conversation_id, "proposta", {**form, "email": ""})
    assert no_address.status_code == 400
    assert refusal(no_address) == "O contato não tem e-mail: informe o endereço de destino."
    bad_link = await act(
        ana, conversation_id, "proposta", {**form, "email": "ana@x.com.br", "link": "ftp://x"}
    )
    assert bad_link.status_code == 400 and "http(s)" in refusal(bad_link)
    for stage in ("in_service", "qualified"):
        await act(ana, conversation_id, "funil", {"etapa": stage})
    sent = await act(
        ana,
        conversation_id,
        "proposta",
        {**form, "email": "familia@exemplo.com.br", "link": "https://docs.carinho.com.vc/p/1"},
    )
    assert sent.status_code == 200, refusal(sent)
    assert toast(sent) == "Proposta a caminho de familia@exemplo.com.br."
    words = text_of(sent.text)
    assert "Proposta · familia@exemplo.com.br" in words and "na fila" in words
    assert "Proposta enviada" in words  # the funnel, out of band
    async with seeded.db("atendimento").session() as session:
        dispatch = (await session.execute(select(DocumentDispatch))).scalar_one()
    assert (dispatch.kind, dispatch.email, dispatch.status, dispatch.document_url) == (
        "proposal",
        "familia@exemplo.com.br",
        "queued",
        "https://docs.carinho.com.vc/p/1",
    )
    assert (await conversation_row(seeded, conversation_id)).funnel_stage == "proposal_sent"


# ---------------------------------------------------------------------- audit trail


async def test_the_audit_trail_is_newest_first_collapsed_to_ten_with_everything_on_demand(
    seeded: Runtime, make_person: MakePerson
) -> None:
    ana, conversation_id = await n1_with_conversation(make_person)
    for stage in ("in_service", "qualified", "in_service", "lost"):
        data = {"etapa": stage}
        if stage == "lost":
            async with seeded.db("atendimento").session() as session:
                price = (
                    await session.execute(select(LossReason).where(LossReason.code == "preco"))
                ).scalar_one()
            data["motivo"] = str(price.id)
        await act(ana, conversation_id, "funil", data)
    for n in range(8):
        await act(ana, conversation_id, "triagem", {"pergunta": "idade", "valor": str(60 + n)})
    short = await section(ana, conversation_id, "historico")
    lines = re.findall(r'<p class="tl-head"><strong>([^<]+)</strong>', short.text)
    assert len(lines) == 10 and lines[0] == "Resposta de triagem"
    assert "Qual a idade da pessoa que receberá o cuidado?" in short.text  # which question, not its code
    assert "Ver tudo" in short.text and "Mensagem recebida" not in short.text
    everything = await section(ana, conversation_id, "historico", tudo="1")
    all_lines = re.findall(r'<p class="tl-head"><strong>([^<]+)</strong>', everything.text)
    assert len(all_lines) > 14 and "Mensagem recebida" in all_lines and all_lines[-1] == "Conversa criada"
    assert "Mostrar só as recentes" in everything.text
    assert (
        f'hx-get="/conversas/{conversation_id}/painel/historico?tudo=1"' in everything.text
    )  # live keeps "all"
    words = text_of(everything.text)
    assert "Em atendimento → Perdido" in words and "Pessoa" in words
