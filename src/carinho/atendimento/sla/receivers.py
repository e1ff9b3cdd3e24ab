"""What the sla package does when the inbox emits a signal (see atendimento/signals.py)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from carinho.atendimento import signals
from carinho.atendimento.history.actor import Actor
from carinho.atendimento.history.models import ActorType
from carinho.atendimento.inbox.models import Conversation
from carinho.atendimento.sla.service import sla_service


async def on_message_received(
    session: AsyncSession, *, conversation: Conversation, new_conversation: bool, **_: Any
) -> None:
    if new_conversation:
        await sla_service.ensure_state(session, conversation, new_conversation=True)
    else:
        await sla_service.on_customer_message(session, conversation)


async def on_message_queued(
    session: AsyncSession, *, conversation: Conversation, actor: Actor, **_: Any
) -> None:
    # Only a person's reply counts; automatic messages (welcome, queue notice ...) do not.
    if actor.type is ActorType.agent:
        await sla_service.on_agent_reply(session, conversation, actor.agent_id)


async def on_status_changed(
    session: AsyncSession, *, conversation: Conversation, before: str, after: str, **_: Any
) -> None:
    await sla_service.on_status_changed(session, conversation, before, after)


async def on_priority_changed(
    session: AsyncSession, *, conversation: Conversation, before: str, after: str, actor: Actor, **_: Any
) -> None:
    await sla_service.on_priority_changed(session, conversation, before, after, actor)


signals.message_received.connect(on_message_received)
signals.message_queued.connect(on_message_queued)
signals.status_changed.connect(on_status_changed)
signals.priority_changed.connect(on_priority_changed)
