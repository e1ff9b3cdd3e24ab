"""The escalation package's personal data: the reason of an escalation is free text an agent wrote
about the conversation (it may name people or their health), scrubbed like the audit trail."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from carinho.atendimento.escalation.models import Escalation
from carinho.atendimento.inbox.models import Conversation
from carinho.atendimento.retention.registry import register

SCRUBBED = "[removido]"


class EscalationReasons:
    name = "escalations"

    async def export(self, session: AsyncSession, contact_ids: list[int]) -> list[dict[str, Any]]:
        stmt = (
            select(Escalation)
            .join(Conversation, Conversation.id == Escalation.conversation_id)
            .where(Conversation.contact_id.in_(contact_ids))
            .order_by(Escalation.id)
        )
        return [
            {
                "conversation_id": row.conversation_id,
                "direction": row.direction,
                "from_level": row.from_level,
                "to_level": row.to_level,
                "reason": row.reason,
                "created_at": row.created_at.isoformat(),
            }
            for row in (await session.execute(stmt)).scalars()
        ]

    async def erase(self, session: AsyncSession, contact_ids: list[int]) -> int:
        conversations = select(Conversation.id).where(Conversation.contact_id.in_(contact_ids))
        return await self._scrub(session, Escalation.conversation_id.in_(conversations))

    async def anonymise_before(self, session: AsyncSession, data_class: str, before: datetime) -> int:
        if data_class != "audit_trail":
            return 0
        return await self._scrub(session, Escalation.created_at < before)

    async def _scrub(self, session: AsyncSession, condition: Any) -> int:
        stmt = (
            update(Escalation)
            .where(condition, Escalation.reason != SCRUBBED)
            .values(reason=SCRUBBED, operacao_error=None)
            .execution_options(synchronize_session=False)
        )
        result = await session.execute(stmt)
        return int(result.rowcount or 0)  # type: ignore[attr-defined]


register(EscalationReasons())
