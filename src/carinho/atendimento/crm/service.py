"""CRM lead updates, always from a job (never inside a request): the receivers (receivers.py) call
`schedule()` when a signal says the lead changed; the job builds the lead's current snapshot and
pushes it through the CRM connector.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from carinho.atendimento.funnel.repository import FunnelRepository
from carinho.atendimento.inbox.repository import InboxRepository
from carinho.atendimento.triage.service import triage_service
from carinho.worker import enqueue

SYNC_JOB = "atendimento.sync_crm_lead"


class CrmSyncService:
    async def schedule(self, session: AsyncSession, contact_id: int, *, reason: str) -> None:
        await enqueue(session, SYNC_JOB, {"contact_id": contact_id, "reason": reason})

    async def snapshot(self, session: AsyncSession, contact_id: int) -> dict[str, Any] | None:
        """What the CRM should know about the lead now."""
        inbox = InboxRepository(session)
        contact = await inbox.contact(contact_id)
        if contact is None:
            return None
        conversation = await inbox.latest_conversation(contact_id)
        lead: dict[str, Any] = {
            "lead_id": contact.crm_lead_id,
            "phone": contact.phone,
            "name": contact.name,
            "email": contact.email,
            "source": "whatsapp",
        }
        if conversation is not None:
            lead["atendimento_conversation_id"] = conversation.id
            lead["funnel_stage"] = conversation.funnel_stage
            if conversation.loss_reason_id:
                reason = await FunnelRepository(session).loss_reason(conversation.loss_reason_id)
                lead["loss_reason"] = reason.code if reason else None
                lead["loss_reason_label"] = reason.label if reason else None
                lead["loss_note"] = conversation.loss_note
            try:
                state = await triage_service.state(session, conversation)
            except Exception:  # no checklist configured
                state = None
            if state is not None and state.session is not None:
                lead["triage"] = {
                    "checklist": state.checklist.key,
                    "version": state.checklist.version,
                    "status": state.session.status,
                    "outcome": state.session.outcome,
                    "answers": triage_service.answers_by_code(state),
                }
        return lead


crm_sync_service = CrmSyncService()
