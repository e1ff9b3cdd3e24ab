"""What the automations package does when the inbox emits a signal (see atendimento/signals.py):
they answer once the conversation's own bookkeeping (SLA, escalation) has seen the change."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from carinho.atendimento import signals
from carinho.atendimento.automations.service import automation_service
from carinho.atendimento.inbox.models import Conversation, ConversationStatus


async def on_message_received(
    session: AsyncSession,
    *,
    conversation: Conversation,
    new_conversation: bool,
    new_contact: bool,
    **_: Any,
) -> None:
    rules = await automation_service.active_rules(session)  # read once for the message
    if new_conversation:
        await automation_service.on_new_conversation(
            session, conversation, first_contact=new_contact, rules=rules
        )
    await automation_service.on_inbound(session, conversation, rules=rules)


async def on_status_changed(
    session: AsyncSession, *, conversation: Conversation, after: str, **_: Any
) -> None:
    if not ConversationStatus(after).is_active:
        await automation_service.on_conversation_finished(session, conversation)


signals.message_received.connect(on_message_received, signals.Phase.answer)
signals.status_changed.connect(on_status_changed, signals.Phase.answer)
