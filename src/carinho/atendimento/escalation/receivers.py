"""What the escalation package does when the inbox emits a signal (see atendimento/signals.py)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from carinho.atendimento import signals
from carinho.atendimento.escalation import privacy
from carinho.atendimento.escalation.repository import EscalationRepository
from carinho.atendimento.escalation.rules import rule_service
from carinho.atendimento.inbox.models import Conversation, ConversationStatus, Message

__all__ = ["privacy"]


async def on_message_received(
    session: AsyncSession,
    *,
    conversation: Conversation,
    message: Message,
    new_conversation: bool,
    new_contact: bool,
    **_: Any,
) -> None:
    # A contact created by this message cannot be returning: no query for it.
    if new_conversation and not new_contact and await _returning(session, conversation):
        await rule_service.on_reopening(session, conversation)
    text = message.content or message.media_caption
    if text:
        await rule_service.on_inbound_text(session, conversation, text)


async def _returning(session: AsyncSession, conversation: Conversation) -> bool:
    """A new conversation of a contact who had one before: the customer came back."""
    return await EscalationRepository(session).has_earlier_conversation(
        conversation.contact_id, conversation.id
    )


async def on_status_changed(
    session: AsyncSession, *, conversation: Conversation, before: str, after: str, **_: Any
) -> None:
    if before == ConversationStatus.resolved.value and ConversationStatus(after).is_active:
        await rule_service.on_reopening(session, conversation)


async def on_sla_state_changed(
    session: AsyncSession, *, conversation: Conversation, target: str, after: str, **_: Any
) -> None:
    await rule_service.on_sla_state(session, conversation, target, after)


async def on_triage_answered(
    session: AsyncSession, *, conversation: Conversation, question: str, value: Any, **_: Any
) -> None:
    await rule_service.on_triage_answer(session, conversation, question, value)


signals.message_received.connect(on_message_received)
signals.status_changed.connect(on_status_changed)
signals.sla_state_changed.connect(on_sla_state_changed)
signals.triage_answered.connect(on_triage_answered)
