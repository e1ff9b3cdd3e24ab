"""A keyword rule flagged `opens_emergency`: the escalation to N3 comes first, then the incidents
package reports the emergency (once, with the rule as its source)."""

from __future__ import annotations

import httpx
from sqlalchemy import select

from carinho.atendimento.agents.models import Role, SupportLevel
from carinho.atendimento.escalation.models import EscalationRule, RuleKind
from carinho.atendimento.incidents.models import Incident
from carinho.runtime import Runtime
from tests.atendimento.conftest import OPEN_INSTANT, MakeAgent, freeze_at
from tests.atendimento.escalation.helpers import alerts, conversation, escalations, message


async def incidents(rt: Runtime, conversation_id: int) -> list[Incident]:
    async with rt.db("atendimento").session() as session:
        stmt = select(Incident).where(Incident.conversation_id == conversation_id)
        return list((await session.execute(stmt)).scalars())


async def test_emergency_words_escalate_to_n3_and_open_one_emergency(
    seeded: Runtime, atendimento: httpx.AsyncClient, make_agent: MakeAgent
) -> None:
    freeze_at(OPEN_INSTANT)
    await make_agent(Role.agent, SupportLevel.n1)
    n3 = await make_agent(Role.agent, SupportLevel.n3)
    async with seeded.db("atendimento").session() as session:
        stmt = select(EscalationRule).where(
            EscalationRule.kind == RuleKind.keyword.value, EscalationRule.opens_emergency.is_(True)
        )
        rule = (await session.execute(stmt)).scalar_one()

    conversation_id = await message(
        atendimento, "Socorro! Minha mãe DESMAIOU no banheiro", phone="5511911119001"
    )
    escalated = await conversation(seeded, conversation_id)
    assert (escalated.level, escalated.priority, escalated.assignee_id) == ("N3", "urgent", n3.agent_id)
    [row] = await escalations(seeded, conversation_id)
    assert (row.from_level, row.to_level, row.rule_id) == ("N1", "N3", rule.id)
    [incident] = await incidents(seeded, conversation_id)
    assert incident.source == f"rule:{rule.id}"
    assert len(await alerts(seeded, "emergency")) == 1
    assert await alerts(seeded, "emergency_unreported") == []

    await message(atendimento, "socorro, ela não acorda", phone="5511911119001")
    assert len(await incidents(seeded, conversation_id)) == 1
    assert len(await escalations(seeded, conversation_id)) == 1
