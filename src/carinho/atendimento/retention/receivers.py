"""What the retention package does when the inbox emits a signal (see atendimento/signals.py)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from carinho.atendimento import signals
from carinho.atendimento.inbox.models import Conversation, ConversationStatus
from carinho.atendimento.retention.models import DataClass
from carinho.atendimento.retention.service import SCRUB_CONVERSATION_AUDIT_JOB, retention_service
from carinho.kit.clock import utcnow
from carinho.worker import enqueue


async def scrub_expired_audit_on_end(
    session: AsyncSession, *, conversation: Conversation, before: str, after: str, **_: Any
) -> None:
    """The daily run leaves the audit entries of active conversations alone; when one ends with
    entries older than the audit cutoff, those are scrubbed now (rare: a conversation open for years)."""
    if ConversationStatus(after).is_active or not ConversationStatus(before).is_active:
        return
    cutoff = (await retention_service.config(session)).cutoff(DataClass.audit_trail, utcnow())
    if cutoff is None or conversation.created_at >= cutoff:
        return
    await enqueue(
        session,
        SCRUB_CONVERSATION_AUDIT_JOB,
        {"conversation_id": conversation.id},
        dedupe_key=f"atendimento:retention:audit:{conversation.id}:{after}:{utcnow():%Y%m%d%H%M%S}",
    )


signals.status_changed.connect(scrub_expired_audit_on_end)
