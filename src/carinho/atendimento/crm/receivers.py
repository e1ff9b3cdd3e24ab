"""What the CRM sync does when a signal says the lead changed (see atendimento/signals.py): it queues
the lead's sync job, last among the receivers, so the job is queued after everything the change wrote."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from carinho.atendimento import signals
from carinho.atendimento.crm.service import crm_sync_service
from carinho.atendimento.inbox.models import Contact, Conversation


async def on_message_received(
    session: AsyncSession, *, conversation: Conversation, new_contact: bool, **_: Any
) -> None:
    if new_contact:
        await crm_sync_service.schedule(session, conversation.contact_id, reason="new_contact")


async def on_contact_updated(session: AsyncSession, *, contact: Contact, **_: Any) -> None:
    await crm_sync_service.schedule(session, contact.id, reason="contact_updated")


async def on_funnel_moved(session: AsyncSession, *, conversation: Conversation, **_: Any) -> None:
    await crm_sync_service.schedule(session, conversation.contact_id, reason="funnel_moved")


async def on_triage_completed(session: AsyncSession, *, conversation: Conversation, **_: Any) -> None:
    await crm_sync_service.schedule(session, conversation.contact_id, reason="triage_completed")


signals.message_received.connect(on_message_received, signals.Phase.sync)
signals.contact_updated.connect(on_contact_updated, signals.Phase.sync)
signals.funnel_moved.connect(on_funnel_moved, signals.Phase.sync)
signals.triage_completed.connect(on_triage_completed, signals.Phase.sync)
