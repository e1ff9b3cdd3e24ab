"""Automatic rules: keywords (accents and case aside), the customer asking for a supervisor, SLA at
risk and breached, triage answers and reopenings; once per conversation, never downwards."""

from __future__ import annotations

from datetime import timedelta

import httpx

from carinho.atendimento import signals
from carinho.atendimento.agents.models import Role, SupportLevel
from carinho.atendimento.escalation.models import EscalationRule, RuleKind
from carinho.atendimento.history.service import Action
from carinho.atendimento.inbox.service import inbox_service
from carinho.runtime import Runtime
from tests.atendimento.conftest import OPEN_INSTANT, Api, MakeAgent, freeze_at
from tests.atendimento.escalation.helpers import conversation, escalations, history, message


async def rule_id(rt: Runtime, kind: RuleKind) -> int:
    async with rt.db("atendimento").session() as session:
        from sqlalchemy import select

        stmt = select(EscalationRule.id).where(EscalationRule.kind == kind.value).order_by(EscalationRule.id)
        return int((await session.execute(stmt)).scalars().first())  # type: ignore[arg-type]


async def sla_signal(rt: Runtime, conversation_id: int, target: str, before: str, after: str) -> None:
    """What the SLA monitor emits on a transition."""
    async with rt.db("atendimento").session() as session:
        conv = await inbox_service.get(session, conversation_id, lock=True)
        await signals.sla_state_changed.send(
            session, conversation=conv, target=target, before=before, after=after
        )
        await session.commit()


async def test_keyword_rule_matches_without_accents_or_case_and_fires_once(
    seeded: Runtime, atendimento: httpx.AsyncClient, make_agent: MakeAgent
) -> None:
    freeze_at(OPEN_INSTANT)
    supervisor = await make_agent(Role.supervisor)
    n2 = await make_agent(Role.agent, SupportLevel.n2)
    created = await supervisor.post(
        "/api/escalation/rules",
        json={
            "name": "Cobrança indevida",
            "kind": "keyword",
            "target_level": "N2",
            "raise_priority": "high",
            "keywords": ["cobrança indevida", "estorno"],
        },
    )
    assert created.status_code == 201, created.text
    rule = created.json()["id"]

    quiet = await message(atendimento, "Oi, vocês atendem em Pinheiros?", phone="5511911112001")
    assert (await conversation(seeded, quiet)).level == "N1"
    # "estornos" is not the whole word "estorno": no match.
    await message(atendimento, "Quantos estornos vocês fazem?", phone="5511911112001")
    assert (await conversation(seeded, quiet)).level == "N1"

    conversation_id = await message(
        atendimento, "Houve uma COBRANCA   INDÉVIDA no cartão!!", phone="5511911112002"
    )
    escalated = await conversation(seeded, conversation_id)
    assert (escalated.level, escalated.priority, escalated.assignee_id) == ("N2", "high", n2.agent_id)
    [row] = await escalations(seeded, conversation_id)
    assert row.rule_id == rule
    assert row.agent_id is None
    assert "cobrança indevida" in row.reason
    trail = await history(seeded, Action.escalated, conversation_id)
    assert trail[0].actor_type == "automation"

    # De-escalated by a supervisor, the same words again: the rule already acted on this conversation.
    await supervisor.post(
        f"/api/conversations/{conversation_id}/deescalate",
        json={"to_level": "N1", "reason": "Resolvido no N1"},
    )
    await message(atendimento, "Quero o estorno da cobrança indevida", phone="5511911112002")
    assert (await conversation(seeded, conversation_id)).level == "N1"
    assert len(await escalations(seeded, conversation_id)) == 2


async def test_customer_asking_for_a_supervisor(
    seeded: Runtime, atendimento: httpx.AsyncClient, make_agent: MakeAgent
) -> None:
    freeze_at(OPEN_INSTANT)
    await make_agent(Role.agent, SupportLevel.n2)
    asks = await message(atendimento, "Quero falar com o SUPERVISOR agora!", phone="5511911113001")
    assert (await conversation(seeded, asks)).level == "N2"
    [row] = await escalations(seeded, asks)
    assert row.rule_id == await rule_id(seeded, RuleKind.asks_supervisor)

    manager = await message(atendimento, "me passa pro gerente por favor", phone="5511911113002")
    assert (await conversation(seeded, manager)).level == "N2"

    adjective = await message(
        atendimento, "Preciso de uma cuidadora responsável e carinhosa", phone="5511911113003"
    )
    assert (await conversation(seeded, adjective)).level == "N1"
    assert await escalations(seeded, adjective) == []


async def test_sla_rules_fire_on_the_monitor_signal_and_never_go_down(
    seeded: Runtime, atendimento: httpx.AsyncClient, make_agent: MakeAgent
) -> None:
    freeze_at(OPEN_INSTANT)
    supervisor = await make_agent(Role.supervisor)
    await make_agent(Role.agent, SupportLevel.n2)
    breached = await message(atendimento, phone="5511911114001")

    # At risk: the seeded rule is off, nothing happens.
    await sla_signal(seeded, breached, "first_response", "ok", "at_risk")
    assert (await conversation(seeded, breached)).level == "N1"
    # Breached: the seeded rule escalates to N2 and raises the priority.
    await sla_signal(seeded, breached, "first_response", "at_risk", "breached")
    after = await conversation(seeded, breached)
    assert (after.level, after.priority) == ("N2", "high")
    assert (await escalations(seeded, breached))[0].rule_id == await rule_id(seeded, RuleKind.sla_breached)
    # A second breach (another target) does not escalate again.
    await sla_signal(seeded, breached, "resolution", "ok", "breached")
    assert len(await escalations(seeded, breached)) == 1

    # Turned on by a supervisor, at risk escalates too — only for its target.
    at_risk_rule = await rule_id(seeded, RuleKind.sla_at_risk)
    turned_on = await supervisor.patch(f"/api/escalation/rules/{at_risk_rule}", json={"active": True})
    assert turned_on.status_code == 200, turned_on.text
    at_risk = await message(atendimento, phone="5511911114002")
    await sla_signal(seeded, at_risk, "resolution", "ok", "at_risk")
    assert (await conversation(seeded, at_risk)).level == "N1"
    await sla_signal(seeded, at_risk, "first_response", "ok", "at_risk")
    assert (await conversation(seeded, at_risk)).level == "N2"

    # Already at N3 by hand: a rule to N2 never brings it down.
    high = await message(atendimento, phone="5511911114003")
    await supervisor.post(
        f"/api/conversations/{high}/escalate", json={"to_level": "N3", "reason": "Jurídico"}
    )
    await sla_signal(seeded, high, "first_response", "at_risk", "breached")
    assert (await conversation(seeded, high)).level == "N3"
    assert [e.rule_id for e in await escalations(seeded, high)] == [None]


async def test_triage_answer_rule(
    seeded: Runtime, atendimento: httpx.AsyncClient, make_agent: MakeAgent
) -> None:
    freeze_at(OPEN_INSTANT)
    supervisor = await make_agent(Role.supervisor)
    n1 = await make_agent(Role.agent, SupportLevel.n1)
    await make_agent(Role.agent, SupportLevel.n2)
    triage_rule = await rule_id(seeded, RuleKind.triage_answer)
    await supervisor.patch(
        f"/api/escalation/rules/{triage_rule}",
        json={"active": True, "answer_values": ["Acamado"], "target_level": "N3"},
    )
    await make_agent(Role.agent, SupportLevel.n3)

    calm = await message(atendimento, phone="5511911115001")
    answered = await n1.post(
        f"/api/conversations/{calm}/triage", json={"answers": {"condicao": ["Pós-operatório"]}}
    )
    assert answered.status_code == 200, answered.text
    assert (await conversation(seeded, calm)).level == "N1"

    bedridden = await message(atendimento, phone="5511911115002")
    answered = await n1.post(
        f"/api/conversations/{bedridden}/triage",
        json={"answers": {"condicao": ["Mobilidade reduzida", "Acamado"]}},
    )
    assert answered.status_code == 200, answered.text
    assert (await conversation(seeded, bedridden)).level == "N3"
    [row] = await escalations(seeded, bedridden)
    assert row.rule_id == triage_rule
    assert "Acamado" not in row.reason  # the health answer stays in the triage


async def resolve(agent: Api, conversation_id: int) -> None:
    response = await agent.patch(f"/api/conversations/{conversation_id}", json={"status": "resolved"})
    assert response.status_code == 200, response.text


async def test_reopenings_within_the_window(
    seeded: Runtime, atendimento: httpx.AsyncClient, make_agent: MakeAgent
) -> None:
    freeze_at(OPEN_INSTANT)
    supervisor = await make_agent(Role.supervisor)
    await make_agent(Role.agent, SupportLevel.n2)
    rule = await rule_id(seeded, RuleKind.reopenings)
    await supervisor.patch(f"/api/escalation/rules/{rule}", json={"threshold": 2, "window_hours": 24})
    phone = "5511911116001"

    first = await message(atendimento, phone=phone)
    await resolve(supervisor, first)
    freeze_at(OPEN_INSTANT + timedelta(minutes=30))
    second = await message(atendimento, "Voltei, ainda não resolveram", phone=phone)
    assert second != first
    assert (await conversation(seeded, second)).level == "N1"  # one return
    await resolve(supervisor, second)
    # An agent reopening a resolved conversation counts as well.
    reopened = await supervisor.patch(f"/api/conversations/{second}", json={"status": "open"})
    assert reopened.status_code == 200, reopened.text
    escalated = await conversation(seeded, second)
    assert escalated.level == "N2"
    [row] = await escalations(seeded, second)
    assert row.rule_id == rule and "2 reaberturas" in row.reason

    # Two days later the old returns are outside the 24 h window.
    await resolve(supervisor, second)
    freeze_at(OPEN_INSTANT + timedelta(days=2))
    later = await message(atendimento, "Olá de novo", phone=phone)
    assert (await conversation(seeded, later)).level == "N1"
    assert await escalations(seeded, later) == []
