"""What the satisfaction package does when the inbox emits a signal (see atendimento/signals.py)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from carinho.atendimento import signals
from carinho.atendimento.inbox.models import Contact, Conversation
from carinho.atendimento.satisfaction import privacy
from carinho.atendimento.satisfaction.service import satisfaction_service

__all__ = ["privacy"]


async def schedule_survey(
    session: AsyncSession, *, conversation: Conversation, before: str, after: str, **_: Any
) -> None:
    await satisfaction_service.on_status_changed(session, conversation, before, after)


async def claim_survey_reply(
    session: AsyncSession, contact: Contact, text: str | None
) -> Conversation | None:
    return await satisfaction_service.claim(session, contact, text)


signals.status_changed.connect(schedule_survey)
if claim_survey_reply not in signals.inbound_claimers:
    signals.inbound_claimers.append(claim_survey_reply)
