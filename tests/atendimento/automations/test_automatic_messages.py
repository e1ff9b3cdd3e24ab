"""Each automatic message fires on its trigger, only once per trigger, and only while switched on."""

from __future__ import annotations

from datetime import timedelta

import httpx

from carinho.atendimento.agents.models import Role
from carinho.atendimento.automations.tasks import run_timed_automations
from carinho.kit import clock
from carinho.runtime import Runtime
from tests.atendimento.conftest import (
    CLOSED_INSTANT,
    OPEN_INSTANT,
    Api,
    MakeAgent,
    freeze_at,
    post_webhook,
    received,
)


async def incoming(client: httpx.AsyncClient, message_id: str, phone: str = "5511955554444") -> int:
    response = await post_webhook(client, received(message_id, phone=phone))
    assert response.status_code == 200, response.text
    return int(response.json()["conversation_id"])


async def automatic(api: Api, conversation_id: int, rule: str | None = None) -> list[dict]:
    messages = (await api.get(f"/api/conversations/{conversation_id}/messages")).json()
    return [m for m in messages if m["automation"] and (rule is None or m["automation"] == rule)]


async def scan(rt: Runtime) -> None:
    async with rt.db("atendimento").session() as session:
        await run_timed_automations(session)
        await session.commit()


async def test_welcome_goes_once_to_a_new_contact(
    seeded: Runtime, atendimento: httpx.AsyncClient, make_agent: MakeAgent
) -> None:
    freeze_at(OPEN_INSTANT)
    supervisor = await make_agent(Role.supervisor)
    first = await incoming(atendimento, "W1")
    await incoming(atendimento, "W2")
    [welcome] = await automatic(supervisor, first, "welcome")
    assert welcome["content"].startswith("Olá, Maria! Aqui é da Carinho com Você.")
    assert welcome["delivery_status"] == "queued"
    assert welcome["sender_type"] == "automation"
    await supervisor.patch(f"/api/conversations/{first}", json={"status": "resolved"})
    second = await incoming(atendimento, "W3")
    assert second != first
    assert await automatic(supervisor, second, "welcome") == []  # a returning contact is not welcomed again
    history = (await supervisor.get(f"/api/conversations/{first}/history")).json()
    assert any(e["action"] == "automation.sent" and e["actor_type"] == "automation" for e in history)

    await supervisor.patch("/api/automations/welcome", json={"enabled": False})
    other = await incoming(atendimento, "W4", phone="5511944443333")
    assert await automatic(supervisor, other, "welcome") == []


async def test_out_of_hours_reply_gives_the_next_opening_once_per_closed_period(
    seeded: Runtime, atendimento: httpx.AsyncClient, make_agent: MakeAgent
) -> None:
    supervisor = await make_agent(Role.supervisor)
    await supervisor.patch("/api/automations/welcome", json={"enabled": False})
    freeze_at(OPEN_INSTANT)
    conversation = await incoming(atendimento, "H0")
    assert await automatic(supervisor, conversation, "out_of_hours") == []
    freeze_at(CLOSED_INSTANT)
    await incoming(atendimento, "H1")
    await incoming(atendimento, "H2")
    [reply] = await automatic(supervisor, conversation, "out_of_hours")
    assert "quarta-feira, 02/12 às 08:00" in reply["content"]
    freeze_at(CLOSED_INSTANT + timedelta(days=1))  # the next night: a new closed period
    await incoming(atendimento, "H3")
    replies = await automatic(supervisor, conversation, "out_of_hours")
    assert len(replies) == 2
    assert "quinta-feira, 03/12 às 08:00" in replies[1]["content"]


async def test_queue_notice_after_n_minutes_without_an_agent_once(
    seeded: Runtime, atendimento: httpx.AsyncClient, make_agent: MakeAgent
) -> None:
    freeze_at(OPEN_INSTANT)
    supervisor = await make_agent(Role.supervisor)
    configured = await supervisor.patch("/api/automations/queue_notice", json={"delay_minutes": 15})
    assert configured.json()["delay_minutes"] == 15
    waiting = await incoming(atendimento, "Q1")
    taken = await incoming(atendimento, "Q2", phone="5511933332222")
    await supervisor.post(f"/api/conversations/{taken}/assign", json={"agent_id": supervisor.agent_id})
    clock.advance(timedelta(minutes=10))
    await scan(seeded)
    assert await automatic(supervisor, waiting, "queue_notice") == []
    clock.advance(timedelta(minutes=6))
    await scan(seeded)
    await scan(seeded)
    [notice] = await automatic(supervisor, waiting, "queue_notice")
    assert "você está na fila" in notice["content"]
    assert await automatic(supervisor, taken, "queue_notice") == []


async def test_follow_up_once_per_wait_for_the_customer(
    seeded: Runtime, atendimento: httpx.AsyncClient, make_agent: MakeAgent
) -> None:
    freeze_at(OPEN_INSTANT)
    supervisor = await make_agent(Role.supervisor)
    await supervisor.patch("/api/automations/follow_up", json={"delay_minutes": 120})
    conversation = await incoming(atendimento, "FU1")
    await supervisor.post(f"/api/conversations/{conversation}/assign", json={"agent_id": supervisor.agent_id})
    await supervisor.patch(f"/api/conversations/{conversation}", json={"status": "waiting_customer"})
    clock.advance(timedelta(minutes=100))
    await scan(seeded)
    assert await automatic(supervisor, conversation, "follow_up") == []
    clock.advance(timedelta(minutes=30))
    await scan(seeded)
    await scan(seeded)
    assert len(await automatic(supervisor, conversation, "follow_up")) == 1

    await incoming(atendimento, "FU2")  # the customer answers: the wait is over
    await supervisor.patch(f"/api/conversations/{conversation}", json={"status": "waiting_customer"})
    clock.advance(timedelta(minutes=121))
    await scan(seeded)
    assert len(await automatic(supervisor, conversation, "follow_up")) == 2

    await supervisor.patch("/api/automations/follow_up", json={"enabled": False})
    await incoming(atendimento, "FU3")
    await supervisor.patch(f"/api/conversations/{conversation}", json={"status": "waiting_customer"})
    clock.advance(timedelta(minutes=200))
    await scan(seeded)
    assert len(await automatic(supervisor, conversation, "follow_up")) == 2


async def test_closing_message_once_per_conversation(
    seeded: Runtime, atendimento: httpx.AsyncClient, make_agent: MakeAgent
) -> None:
    freeze_at(OPEN_INSTANT)
    supervisor = await make_agent(Role.supervisor)
    conversation = await incoming(atendimento, "C1")
    await supervisor.patch(f"/api/conversations/{conversation}", json={"status": "resolved"})
    [closing] = await automatic(supervisor, conversation, "closing")
    assert f"protocolo ATD-{conversation:06d}" in closing["content"]
    await supervisor.patch(f"/api/conversations/{conversation}", json={"status": "open"})
    await supervisor.patch(f"/api/conversations/{conversation}", json={"status": "closed"})
    assert len(await automatic(supervisor, conversation, "closing")) == 1


async def test_rules_are_listed_and_validated(seeded: Runtime, make_agent: MakeAgent) -> None:
    supervisor = await make_agent(Role.supervisor)
    rules = {r["kind"]: r for r in (await supervisor.get("/api/automations")).json()}
    assert set(rules) == {"welcome", "out_of_hours", "queue_notice", "follow_up", "closing", "round_robin"}
    assert rules["queue_notice"]["label"].startswith("Aviso de fila")
    assert (await supervisor.patch("/api/automations/welcome", json={"delay_minutes": 5})).status_code == 400
    assert (
        await supervisor.patch("/api/automations/closing", json={"template_id": 99999})
    ).status_code == 404
    assert (await supervisor.patch("/api/automations/unknown", json={"enabled": True})).status_code == 422
