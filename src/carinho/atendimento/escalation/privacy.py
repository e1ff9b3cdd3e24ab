"""The escalation package's personal data: the reason of an escalation is free text an agent wrote
about the conversation (it may name people or their health), scrubbed like the audit trail."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from carinho.atendimento.escalation.repository import EscalationRepository
from carinho.atendimento.retention.registry import register

SCRUBBED = "[removido]"


class EscalationReasons:
    name = "escalations"

    async def export(self, session: AsyncSession, contact_ids: list[int]) -> list[dict[str, Any]]:
        return [
            {
                "conversation_id": row.conversation_id,
                "direction": row.direction,
                "from_level": row.from_level,
                "to_level": row.to_level,
                "reason": row.reason,
                "created_at": row.created_at.isoformat(),
            }
            for row in await EscalationRepository(session).escalations_of_contacts(contact_ids)
        ]

    async def erase(self, session: AsyncSession, contact_ids: list[int]) -> int:
        return await EscalationRepository(session).scrub_reasons_of_contacts(contact_ids, SCRUBBED)

    async def anonymise_before(self, session: AsyncSession, data_class: str, before: datetime) -> int:
        if data_class != "audit_trail":
            return 0
        return await EscalationRepository(session).scrub_reasons_before(before, SCRUBBED)


register(EscalationReasons())
