"""End to end with the SLA package's monitor: a conversation left unanswered goes at risk, breaches,
the seeded rule escalates it to N2, and with nobody free at N2 supervisors are alerted."""

from __future__ import annotations

import httpx

from carinho.atendimento.agents.models import Role, SupportLevel
from carinho.atendimento.escalation.models import RuleKind
from carinho.runtime import Runtime
from tests.atendimento.conftest import OPEN_INSTANT, MakeAgent, freeze_at
from tests.atendimento.escalation.helpers import alerts, conversation, escalations, message
from tests.atendimento.escalation.test_rules import rule_id
from tests.atendimento.sla.support import move_to, run_monitor


async def test_unanswered_conversation_breaches_and_escalates(
    seeded: Runtime, atendimento: httpx.AsyncClient, make_agent: MakeAgent
) -> None:
    freeze_at(OPEN_INSTANT)
    n1 = await make_agent(Role.agent, SupportLevel.n1)
    conversation_id = await message(atendimento, phone="5511911120001")
    assert (await conversation(seeded, conversation_id)).assignee_id == n1.agent_id

    move_to(OPEN_INSTANT, 49)  # at risk: the seeded at-risk rule is off
    await run_monitor(seeded)
    assert (await conversation(seeded, conversation_id)).level == "N1"
    assert len(await alerts(seeded, "sla_at_risk")) == 1

    move_to(OPEN_INSTANT, 61)  # breached: escalated to N2, nobody there, supervisors alerted
    await run_monitor(seeded)
    await run_monitor(seeded)
    escalated = await conversation(seeded, conversation_id)
    assert (escalated.level, escalated.priority, escalated.assignee_id) == ("N2", "high", None)
    [row] = await escalations(seeded, conversation_id)
    assert row.rule_id == await rule_id(seeded, RuleKind.sla_breached)
    assert "primeira resposta violado" in row.reason
    assert len(await alerts(seeded, "sla_breached")) >= 1
    assert [a.conversation_id for a in await alerts(seeded, "escalation_unassigned")] == [conversation_id]
