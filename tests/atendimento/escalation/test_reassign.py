"""Auto-reassign: an assignee who does not answer within N business minutes loses the conversation
to another available attendant of the level; closed hours do not count; nobody free is an alert."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx

from carinho.atendimento.agents.models import Role, SupportLevel
from carinho.atendimento.escalation.service import AUTO_REASSIGN_JOB
from carinho.atendimento.history.service import Action
from carinho.runtime import Runtime
from carinho.worker import enqueue
from tests.atendimento.conftest import OPEN_INSTANT, MakeAgent, freeze_at
from tests.atendimento.escalation.helpers import alerts, conversation, history, message
from tests.support.jobs import drain

# Tuesday 17:50 in São Paulo: ten business minutes before closing at 18:00.
BEFORE_CLOSING = datetime(2026, 12, 1, 20, 50, tzinfo=UTC)
# Wednesday 08:00 in São Paulo.
NEXT_OPENING = datetime(2026, 12, 2, 11, 0, tzinfo=UTC)


async def tick(rt: Runtime) -> None:
    """One run of the periodic job, as the scheduler would enqueue it."""
    async with rt.db("atendimento").session() as session:
        await enqueue(session, AUTO_REASSIGN_JOB)
        await session.commit()
    await drain(rt, ("atendimento",))


async def test_unanswered_conversation_moves_to_another_agent_of_the_level(
    seeded: Runtime, atendimento: httpx.AsyncClient, make_agent: MakeAgent
) -> None:
    freeze_at(OPEN_INSTANT)
    first = await make_agent(Role.agent, SupportLevel.n1)
    second = await make_agent(Role.agent, SupportLevel.n1)
    await make_agent(Role.agent, SupportLevel.n2)  # another level: never a candidate
    conversation_id = await message(atendimento, phone="5511911118001")
    assert (await conversation(seeded, conversation_id)).assignee_id == first.agent_id

    freeze_at(OPEN_INSTANT + timedelta(minutes=14))
    await tick(seeded)
    assert (await conversation(seeded, conversation_id)).assignee_id == first.agent_id

    freeze_at(OPEN_INSTANT + timedelta(minutes=16))
    await tick(seeded)
    assert (await conversation(seeded, conversation_id)).assignee_id == second.agent_id
    [entry] = await history(seeded, Action.reassigned, conversation_id)
    assert entry.actor_type == "automation"
    assert entry.before == {"assignee_id": first.agent_id}
    assert entry.details is not None and "15 minutos úteis" in entry.details["reason"]

    # The clock restarts with the new assignee; when they do not answer either, it goes back.
    freeze_at(OPEN_INSTANT + timedelta(minutes=30))
    await tick(seeded)
    assert (await conversation(seeded, conversation_id)).assignee_id == second.agent_id
    freeze_at(OPEN_INSTANT + timedelta(minutes=32))
    await tick(seeded)
    assert (await conversation(seeded, conversation_id)).assignee_id == first.agent_id

    # An answer clears the wait: nobody loses it any more.
    reply = await first.post(
        f"/api/conversations/{conversation_id}/messages", json={"text": "Olá! Já vou ajudar."}
    )
    assert reply.status_code == 202, reply.text
    freeze_at(OPEN_INSTANT + timedelta(hours=2))
    await tick(seeded)
    assert (await conversation(seeded, conversation_id)).assignee_id == first.agent_id
    assert len(await history(seeded, Action.reassigned, conversation_id)) == 2


async def test_closed_hours_do_not_count(
    seeded: Runtime, atendimento: httpx.AsyncClient, make_agent: MakeAgent
) -> None:
    freeze_at(BEFORE_CLOSING)
    first = await make_agent(Role.agent, SupportLevel.n1)
    second = await make_agent(Role.agent, SupportLevel.n1)
    conversation_id = await message(atendimento, phone="5511911118002")
    assert (await conversation(seeded, conversation_id)).assignee_id == first.agent_id

    for instant in (BEFORE_CLOSING + timedelta(hours=2), BEFORE_CLOSING + timedelta(hours=8)):
        freeze_at(instant)  # the night: ten business minutes went by at most
        await tick(seeded)
        assert (await conversation(seeded, conversation_id)).assignee_id == first.agent_id
    freeze_at(NEXT_OPENING + timedelta(minutes=4))  # 10 + 4 business minutes
    await tick(seeded)
    assert (await conversation(seeded, conversation_id)).assignee_id == first.agent_id
    freeze_at(NEXT_OPENING + timedelta(minutes=6))  # 10 + 6
    await tick(seeded)
    assert (await conversation(seeded, conversation_id)).assignee_id == second.agent_id


async def test_nobody_else_available_raises_one_alert(
    seeded: Runtime, atendimento: httpx.AsyncClient, make_agent: MakeAgent
) -> None:
    freeze_at(OPEN_INSTANT)
    only = await make_agent(Role.agent, SupportLevel.n1)
    away = await make_agent(Role.agent, SupportLevel.n1)
    conversation_id = await message(atendimento, phone="5511911118003")
    assert (await conversation(seeded, conversation_id)).assignee_id == only.agent_id
    went = await away.post("/api/auth/me/availability", json={"available": False})
    assert went.status_code == 200, went.text

    for minutes in (16, 17, 30):
        freeze_at(OPEN_INSTANT + timedelta(minutes=minutes))
        await tick(seeded)
    assert (await conversation(seeded, conversation_id)).assignee_id == only.agent_id
    raised = await alerts(seeded, "reassign_unavailable")
    assert [a.conversation_id for a in raised] == [conversation_id]
    assert await history(seeded, Action.reassigned, conversation_id) == []


async def test_settings_are_a_supervisors_and_audited(
    seeded: Runtime, atendimento: httpx.AsyncClient, make_agent: MakeAgent
) -> None:
    freeze_at(OPEN_INSTANT)
    supervisor = await make_agent(Role.supervisor)
    agent = await make_agent(Role.agent, SupportLevel.n1)
    other = await make_agent(Role.agent, SupportLevel.n1)
    current = await agent.get("/api/escalation/settings")
    assert current.json()["auto_reassign_minutes"] == 15
    assert (await agent.put("/api/escalation/settings", json={"auto_reassign_minutes": 5})).status_code == 403
    assert (
        await supervisor.put("/api/escalation/settings", json={"auto_reassign_minutes": 0})
    ).status_code == 422
    changed = await supervisor.put("/api/escalation/settings", json={"auto_reassign_minutes": 30})
    assert changed.json()["auto_reassign_minutes"] == 30
    [entry] = await history(seeded, "escalation.settings_changed")
    assert entry.actor_id == supervisor.agent_id
    assert (entry.before, entry.after) == (
        {"auto_reassign_enabled": True, "auto_reassign_minutes": 15},
        {"auto_reassign_enabled": True, "auto_reassign_minutes": 30},
    )

    conversation_id = await message(atendimento, phone="5511911118004")
    freeze_at(OPEN_INSTANT + timedelta(minutes=20))
    await tick(seeded)
    assert (await conversation(seeded, conversation_id)).assignee_id == agent.agent_id
    await supervisor.put("/api/escalation/settings", json={"auto_reassign_enabled": False})
    freeze_at(OPEN_INSTANT + timedelta(minutes=45))
    await tick(seeded)
    assert (await conversation(seeded, conversation_id)).assignee_id == agent.agent_id
    await supervisor.put("/api/escalation/settings", json={"auto_reassign_enabled": True})
    await tick(seeded)
    assert (await conversation(seeded, conversation_id)).assignee_id == other.agent_id
