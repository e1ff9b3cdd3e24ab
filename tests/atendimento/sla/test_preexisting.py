"""Conversations that existed before the SLA was deployed get their SLA on their next activity,
with the clock starting then: the first day after deploying brings no alert storm."""

from __future__ import annotations

from datetime import timedelta

import httpx
from sqlalchemy import delete

from carinho.atendimento.agents.models import Role
from carinho.atendimento.sla.models import ConversationSla, SlaTarget
from carinho.runtime import Runtime
from tests.atendimento.conftest import OPEN_INSTANT, MakeAgent, freeze_at
from tests.atendimento.sla.support import at, incoming, move_to, near, run_monitor, sla_alerts, sla_of, target


async def forget_sla(rt: Runtime, *conversation_ids: int) -> None:
    """As if the conversations had been created before the SLA tables existed."""
    async with rt.db("atendimento").session() as session:
        await session.execute(delete(SlaTarget).where(SlaTarget.conversation_id.in_(conversation_ids)))
        await session.execute(
            delete(ConversationSla).where(ConversationSla.conversation_id.in_(conversation_ids))
        )
        await session.commit()


async def test_an_old_conversation_starts_its_clock_when_its_state_is_created(
    seeded: Runtime, atendimento: httpx.AsyncClient, make_agent: MakeAgent
) -> None:
    freeze_at(OPEN_INSTANT)  # Tuesday 10:00 in São Paulo
    supervisor = await make_agent(Role.supervisor)
    agent = await make_agent(name="Rita")
    unanswered = await incoming(atendimento, "P1", phone="5511955550011")
    answered = await incoming(atendimento, "P2", phone="5511955550012")
    reply = await agent.post(f"/api/conversations/{answered}/messages", json={"text": "Olá!"})
    assert reply.status_code == 202, reply.text
    await forget_sla(seeded, unanswered, answered)

    deployed = OPEN_INSTANT + timedelta(days=2)  # Thursday 10:00, long past every old deadline
    freeze_at(deployed)
    await incoming(atendimento, "P3", phone="5511955550011")
    await incoming(atendimento, "P4", phone="5511955550012")
    await run_monitor(seeded)
    assert await sla_alerts(supervisor) == []

    state = await sla_of(supervisor, unanswered)
    assert state["status"] == "ok" and near(state["started_at"], deployed)
    first = target(state, "first_response")
    assert first["status"] == "ok" and near(first["started_at"], deployed)
    assert near(first["due_at"], deployed + timedelta(hours=1))
    assert near(target(state, "resolution")["started_at"], deployed)

    # Its first response came before the SLA: only the new message's answer is timed.
    state = await sla_of(supervisor, answered)
    assert sorted(t["target"] for t in state["targets"]) == ["next_response", "resolution"]
    assert near(target(state, "next_response")["started_at"], deployed)
    assert at(target(state, "resolution")["due_at"]) > deployed + timedelta(days=1)

    move_to(deployed, 61)  # the new clocks do run out, an hour after the state began
    await run_monitor(seeded)
    breached = {(a["conversation_id"], a["kind"]) for a in await sla_alerts(supervisor)}
    assert (unanswered, "sla_breached") in breached
