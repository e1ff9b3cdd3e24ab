"""Helpers of the escalation tests: conversations from webhooks, and reading what was recorded."""

from __future__ import annotations

from typing import Any

import httpx
from sqlalchemy import func, select

from carinho.atendimento.escalation.models import Escalation
from carinho.atendimento.history.models import HistoryEntry
from carinho.atendimento.inbox.models import Alert, Conversation
from carinho.runtime import Runtime
from tests.atendimento.conftest import post_webhook, received

counter = {"n": 0}


async def message(
    client: httpx.AsyncClient, text: str = "Olá, preciso de uma cuidadora", phone: str = "5511911110000"
) -> int:
    """A customer's message; returns the conversation id."""
    counter["n"] += 1
    response = await post_webhook(client, received(f"ESC{counter['n']}", phone=phone, text=text))
    assert response.status_code == 200, response.text
    return int(response.json()["conversation_id"])


async def conversation(rt: Runtime, conversation_id: int) -> Conversation:
    async with rt.db("atendimento").session() as session:
        row = await session.get(Conversation, conversation_id)
        assert row is not None
        return row


async def escalations(rt: Runtime, conversation_id: int) -> list[Escalation]:
    async with rt.db("atendimento").session() as session:
        stmt = select(Escalation).where(Escalation.conversation_id == conversation_id).order_by(Escalation.id)
        return list((await session.execute(stmt)).scalars())


async def alerts(rt: Runtime, kind: str) -> list[Alert]:
    async with rt.db("atendimento").session() as session:
        stmt = select(Alert).where(Alert.kind == kind).order_by(Alert.id)
        return list((await session.execute(stmt)).scalars())


async def history(rt: Runtime, action: str, conversation_id: int | None = None) -> list[HistoryEntry]:
    async with rt.db("atendimento").session() as session:
        stmt = select(HistoryEntry).where(HistoryEntry.action == action)
        if conversation_id is not None:
            stmt = stmt.where(HistoryEntry.conversation_id == conversation_id)
        return list((await session.execute(stmt.order_by(HistoryEntry.id))).scalars())


async def count(rt: Runtime, model: Any) -> int:
    async with rt.db("atendimento").session() as session:
        return int((await session.execute(select(func.count()).select_from(model))).scalar_one())
