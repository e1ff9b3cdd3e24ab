"""The conversation's side panel without a browser: the whole panel and who may see it, the SLA
section in its states, escalation, and the audit trail. Triage and funnel, incidents and the
contact have their own files."""

from __future__ import annotations

import json
import re
from datetime import timedelta

from sqlalchemy import select

from carinho.atendimento.agents.models import Role, SupportLevel
from carinho.atendimento.funnel.models import LossReason
from carinho.atendimento.sla.monitor import run_monitor
from carinho.kit import clock
from carinho.runtime import Runtime
from tests.atendimento.conftest import CLOSED_INSTANT, OPEN_INSTANT, freeze_at
from tests.atendimento.web.conftest import MakePerson
from tests.atendimento.web.panel_support import (
    act,
    api,
    conversation_row,
    n1_with_conversation,
    new_conversation,
    refusal,
    section,
    text_of,
    toast,
)

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
