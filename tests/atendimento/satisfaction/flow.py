"""Helpers of the satisfaction tests: a conversation a person answered and resolved, the surveys and
messages as stored, and the periodic reminder scan."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import httpx
from sqlalchemy import func, select

from carinho.atendimento.inbox.models import Contact, Conversation
from carinho.atendimento.satisfaction.models import Followup, Survey
from carinho.atendimento.satisfaction.tasks import remind_satisfaction_surveys
from carinho.runtime import Runtime
from tests.atendimento.conftest import OPEN_INSTANT, Api, freeze_at, post_webhook, received
from tests.support.jobs import drain

PHONE = "5511955550001"
# Past the default 5-minute delay, still inside business hours.
SENT_INSTANT = OPEN_INSTANT + timedelta(minutes=6)


async def quiet_automations(supervisor: Api) -> None:
    """No round-robin (the tests assign by hand)."""
    response = await supervisor.patch("/api/automations/round_robin", json={"enabled": False})
    assert response.status_code == 200, response.text


async def incoming(
    client: httpx.AsyncClient, message_id: str, text: str, phone: str = PHONE
) -> dict[str, Any]:
    response = await post_webhook(client, received(message_id, phone=phone, text=text))
    assert response.status_code == 200, response.text
    return dict(response.json())


async def answered_and_resolved(
    client: httpx.AsyncClient,
    supervisor: Api,
    message_id: str,
    *,
    phone: str = PHONE,
    agent: Api | None = None,
    reply: bool = True,
) -> int:
    conversation_id = int(
        (await incoming(client, message_id, "Olá, preciso de uma cuidadora", phone))["conversation_id"]
    )
    person = agent or supervisor
    if agent is not None:
        assigned = await supervisor.post(
            f"/api/conversations/{conversation_id}/assign", json={"agent_id": agent.agent_id}
        )
        assert assigned.status_code == 200, assigned.text
    if reply:
        sent = await person.post(
            f"/api/conversations/{conversation_id}/messages", json={"text": "Claro! Vamos ajudar."}
        )
        assert sent.status_code == 202, sent.text
    await set_status(person, conversation_id, "resolved")
    return conversation_id


async def set_status(api: Api, conversation_id: int, status: str) -> None:
    response = await api.patch(f"/api/conversations/{conversation_id}", json={"status": status})
    assert response.status_code == 200, response.text


async def run_jobs_at(rt: Runtime, instant: datetime) -> None:
    freeze_at(instant)
    await drain(rt)


async def remind_at(rt: Runtime, instant: datetime) -> None:
    freeze_at(instant)
    async with rt.db("atendimento").session() as session:
        await remind_satisfaction_surveys(session)
        await session.commit()
    await drain(rt)


async def surveys(rt: Runtime) -> list[Survey]:
    async with rt.db("atendimento").session() as session:
        return list((await session.execute(select(Survey).order_by(Survey.id))).scalars())


async def followups(rt: Runtime) -> list[Followup]:
    async with rt.db("atendimento").session() as session:
        return list((await session.execute(select(Followup).order_by(Followup.id))).scalars())


async def conversation_count(rt: Runtime, phone: str = PHONE) -> int:
    async with rt.db("atendimento").session() as session:
        stmt = select(func.count(Conversation.id)).join(Contact).where(Contact.phone == phone)
        return int((await session.execute(stmt)).scalar_one())


async def automatic(api: Api, conversation_id: int, automation: str) -> list[dict[str, Any]]:
    response = await api.get(f"/api/conversations/{conversation_id}/messages")
    assert response.status_code == 200, response.text
    return [m for m in response.json() if m["automation"] == automation]
