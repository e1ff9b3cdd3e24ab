"""A conversation's SLA through its life: targets on start, a person's reply (not an automatic
message) meets the first response, next-response cycles, pauses while waiting for the customer,
resolution, and a priority change recomputing from the start."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import httpx

from carinho.atendimento.agents.models import Role
from carinho.runtime import Runtime
from tests.atendimento.conftest import OPEN_INSTANT, MakeAgent, freeze_at
from tests.atendimento.sla.support import incoming, move_to, near, run_monitor, sla_alerts, sla_of, target

SAO_PAULO = ZoneInfo("America/Sao_Paulo")


def local(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 12, day, hour, minute, tzinfo=SAO_PAULO).astimezone(UTC)


async def test_targets_start_with_the_conversation_and_only_a_person_meets_the_first_response(
    seeded: Runtime, atendimento: httpx.AsyncClient, make_agent: MakeAgent
) -> None:
    freeze_at(OPEN_INSTANT)  # Tuesday 10:00 in São Paulo
    agent = await make_agent(name="Rita")
    conversation_id = await incoming(atendimento, "L1")
    state = await sla_of(agent, conversation_id)
    assert state["priority"] == "normal" and state["status"] == "ok"
    first = target(state, "first_response")
    assert near(first["due_at"], local(1, 11)) and near(first["at_risk_at"], local(1, 10, 48))
    # 1440 business minutes of 9-hour days (08-12, 13-18): Tuesday 420 + Wednesday 540 + Thursday 480.
    assert near(target(state, "resolution")["due_at"], local(3, 17))
    messages = (await agent.get(f"/api/conversations/{conversation_id}/messages")).json()
    assert any(m["automation"] == "welcome" for m in messages)  # an automatic message went out...
    assert first["status"] == "ok" and first["ended_at"] is None  # ...and did not count as a response

    move_to(OPEN_INSTANT, 20)
    reply = await agent.post(f"/api/conversations/{conversation_id}/messages", json={"text": "Olá!"})
    assert reply.status_code == 202, reply.text
    first = target(await sla_of(agent, conversation_id), "first_response")
    assert first["status"] == "met" and first["met_in_time"] is True
    assert abs(first["business_minutes"] - 20) < 0.2 and abs(first["wall_minutes"] - 20) < 0.2
    assert first["agent_id"] == agent.agent_id

    move_to(OPEN_INSTANT, 30)
    await incoming(atendimento, "L2")
    move_to(OPEN_INSTANT, 35)
    await incoming(atendimento, "L3")  # still the same unanswered cycle
    state = await sla_of(agent, conversation_id)
    cycles = [t for t in state["targets"] if t["target"] == "next_response"]
    assert len(cycles) == 1
    # 10:30 + 120 business minutes crosses the lunch break: 13:30.
    assert near(cycles[0]["due_at"], local(1, 13, 30)) and near(cycles[0]["started_at"], local(1, 10, 30))

    move_to(OPEN_INSTANT, 40)
    await agent.post(f"/api/conversations/{conversation_id}/messages", json={"text": "Claro!"})
    move_to(OPEN_INSTANT, 50)
    await incoming(atendimento, "L4")
    state = await sla_of(agent, conversation_id)
    first_cycle = target(state, "next_response", 1)
    assert first_cycle["status"] == "met" and abs(first_cycle["business_minutes"] - 10) < 0.2
    assert target(state, "next_response", 2)["status"] == "ok"
    assert state["status"] == "ok"
    history = [e["action"] for e in (await agent.get(f"/api/conversations/{conversation_id}/history")).json()]
    assert history.count("sla.applied") == 1


async def test_waiting_for_the_customer_pauses_the_clock_and_moves_the_deadlines(
    seeded: Runtime, atendimento: httpx.AsyncClient, make_agent: MakeAgent
) -> None:
    freeze_at(OPEN_INSTANT)
    supervisor = await make_agent(Role.supervisor)
    conversation_id = await incoming(atendimento, "P1")
    move_to(OPEN_INSTANT, 10)
    await supervisor.post(f"/api/conversations/{conversation_id}/messages", json={"text": "Qual o endereço?"})
    await supervisor.patch(f"/api/conversations/{conversation_id}", json={"status": "waiting_customer"})
    state = await sla_of(supervisor, conversation_id)
    assert state["paused"] is True and target(state, "resolution")["paused"] is True

    move_to(OPEN_INSTANT, 190)  # 13:10: 120 business minutes later (lunch excluded)
    resolution = target(await sla_of(supervisor, conversation_id), "resolution")
    assert abs(resolution["elapsed_business_minutes"] - 10) < 0.2  # the clock stood still

    await incoming(atendimento, "P2")  # the customer answers: the conversation reopens, the pause ends
    state = await sla_of(supervisor, conversation_id)
    assert state["paused"] is False
    [pause] = state["pauses"]
    assert abs(pause["business_minutes"] - 120) < 0.2
    resolution = target(state, "resolution")
    # Thursday 17:00 moved by 120 business minutes: Thursday 18:00, then Friday 08:00-09:00.
    assert near(resolution["due_at"], local(4, 9)) and not resolution["paused"]
    assert near(target(state, "next_response")["due_at"], local(1, 15, 10))

    # With the pause switched off for normal priority, waiting for the customer does not pause.
    policies = (await supervisor.get("/api/sla/policies")).json()
    normal = next(p for p in policies if p["priority"] == "normal")
    normal["pause_while_waiting_customer"] = False
    del normal["priority_label"]
    assert (await supervisor.put("/api/sla/policies", json={"policies": [normal]})).status_code == 200
    other = await incoming(atendimento, "P3", phone="5511955550002")
    await supervisor.post(f"/api/conversations/{other}/messages", json={"text": "Pode mandar?"})
    await supervisor.patch(f"/api/conversations/{other}", json={"status": "waiting_customer"})
    assert (await sla_of(supervisor, other))["paused"] is False


async def test_a_priority_change_recomputes_the_targets_from_the_start_and_is_audited(
    seeded: Runtime, atendimento: httpx.AsyncClient, make_agent: MakeAgent
) -> None:
    freeze_at(OPEN_INSTANT)
    supervisor = await make_agent(Role.supervisor, name="Sandra")
    conversation_id = await incoming(atendimento, "R1")
    move_to(OPEN_INSTANT, 20)
    await supervisor.patch(f"/api/conversations/{conversation_id}", json={"priority": "urgent"})
    state = await sla_of(supervisor, conversation_id)
    first = target(state, "first_response")
    assert first["priority"] == "urgent" and first["target_minutes"] == 15
    assert near(first["due_at"], local(1, 10, 15))  # from the conversation's start, already past
    assert near(target(state, "resolution")["due_at"], local(1, 15))  # 240 minutes around lunch
    history = (await supervisor.get(f"/api/conversations/{conversation_id}/history")).json()
    [recomputed] = [e for e in history if e["action"] == "sla.recomputed"]
    assert recomputed["actor_name"] == "Sandra"
    assert recomputed["before"] == {"priority": "normal"} and recomputed["after"] == {"priority": "urgent"}

    await run_monitor(seeded)
    first = target(await sla_of(supervisor, conversation_id), "first_response")
    assert first["status"] == "breached"
    assert [a["kind"] for a in await sla_alerts(supervisor, conversation_id)] == ["sla_breached"]

    await supervisor.patch(f"/api/conversations/{conversation_id}", json={"priority": "low"})
    state = await sla_of(supervisor, conversation_id)
    first = target(state, "first_response")
    assert first["status"] == "ok" and first["breached_at"] is None  # 240 minutes: due at 15:00 again
    assert near(first["due_at"], local(1, 15))
    [breach] = state["breaches"]
    assert breach["ended_at"] is not None and breach["priority"] == "urgent"
    await run_monitor(seeded)
    assert len(await sla_alerts(supervisor, conversation_id)) == 1


async def test_resolving_meets_the_resolution_and_cancels_an_unanswered_first_response(
    seeded: Runtime, atendimento: httpx.AsyncClient, make_agent: MakeAgent
) -> None:
    freeze_at(OPEN_INSTANT)
    supervisor = await make_agent(Role.supervisor)
    conversation_id = await incoming(atendimento, "S1")
    move_to(OPEN_INSTANT, 30)
    await supervisor.patch(f"/api/conversations/{conversation_id}", json={"status": "resolved"})
    state = await sla_of(supervisor, conversation_id)
    assert state["status"] == "met"
    assert target(state, "first_response")["status"] == "cancelled"
    assert target(state, "first_response")["met_in_time"] is None
    resolution = target(state, "resolution")
    assert resolution["status"] == "met" and resolution["met_in_time"] is True
    assert abs(resolution["business_minutes"] - 30) < 0.2

    move_to(OPEN_INSTANT, 40)
    await supervisor.patch(f"/api/conversations/{conversation_id}", json={"status": "open"})
    state = await sla_of(supervisor, conversation_id)
    assert state["status"] == "ok"
    assert near(target(state, "resolution", 2)["started_at"], OPEN_INSTANT + timedelta(minutes=40))
