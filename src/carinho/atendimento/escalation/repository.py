from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from carinho.atendimento.agents.models import Agent, Role
from carinho.atendimento.escalation.models import Escalation, EscalationRule, EscalationSettings, RuleFiring
from carinho.atendimento.history.models import HistoryEntry
from carinho.atendimento.history.service import Action
from carinho.atendimento.inbox.models import Conversation, ConversationStatus
from carinho.kit.repository import SessionRepository


class EscalationRepository(SessionRepository):
    # ------------------------------------------------------------------ rules

    async def rules(
        self, *, kind: str | None = None, active: bool | None = None, kinds: Sequence[str] | None = None
    ) -> Sequence[EscalationRule]:
        stmt = select(EscalationRule).order_by(EscalationRule.id)
        if kind is not None:
            stmt = stmt.where(EscalationRule.kind == kind)
        if kinds is not None:
            stmt = stmt.where(EscalationRule.kind.in_(kinds))
        if active is not None:
            stmt = stmt.where(EscalationRule.active == active)
        return (await self.session.execute(stmt)).scalars().all()

    async def rule(self, rule_id: int) -> EscalationRule | None:
        return await self.session.get(EscalationRule, rule_id)

    async def has_fired(self, rule_id: int, conversation_id: int) -> bool:
        stmt = select(RuleFiring.id).where(
            RuleFiring.rule_id == rule_id, RuleFiring.conversation_id == conversation_id
        )
        return (await self.session.execute(stmt)).first() is not None

    async def claim_firing(self, rule_id: int, conversation_id: int, at: datetime) -> bool:
        """Record that the rule acts on the conversation; False if it already did (even concurrently)."""
        if await self.has_fired(rule_id, conversation_id):
            return False
        try:
            async with self.session.begin_nested():
                self.session.add(RuleFiring(rule_id=rule_id, conversation_id=conversation_id, created_at=at))
        except IntegrityError:
            return False
        return True

    # ------------------------------------------------------------------ escalations

    async def escalations(self, conversation_id: int) -> Sequence[Escalation]:
        stmt = (
            select(Escalation)
            .where(Escalation.conversation_id == conversation_id)
            .order_by(Escalation.created_at, Escalation.id)
        )
        return (await self.session.execute(stmt)).scalars().all()

    async def escalation(self, escalation_id: int) -> Escalation | None:
        return await self.session.get(Escalation, escalation_id)

    async def escalations_of_contacts(self, contact_ids: Sequence[int]) -> Sequence[Escalation]:
        stmt = (
            select(Escalation)
            .join(Conversation, Conversation.id == Escalation.conversation_id)
            .where(Conversation.contact_id.in_(contact_ids))
            .order_by(Escalation.id)
        )
        return (await self.session.execute(stmt)).scalars().all()

    async def scrub_reasons_of_contacts(self, contact_ids: Sequence[int], marker: str) -> int:
        conversations = select(Conversation.id).where(Conversation.contact_id.in_(contact_ids))
        return await self._scrub_reasons(Escalation.conversation_id.in_(conversations), marker)

    async def scrub_reasons_before(self, before: datetime, marker: str) -> int:
        return await self._scrub_reasons(Escalation.created_at < before, marker)

    async def _scrub_reasons(self, condition: Any, marker: str) -> int:
        """Replaces the reason (and the Operação error) of the matching escalations by `marker`;
        returns how many changed."""
        stmt = (
            update(Escalation)
            .where(condition, Escalation.reason != marker)
            .values(reason=marker, operacao_error=None)
            .execution_options(synchronize_session=False)
        )
        result = await self.session.execute(stmt)
        return int(result.rowcount or 0)  # type: ignore[attr-defined]

    # ------------------------------------------------------------------ settings

    async def settings(self) -> EscalationSettings | None:
        stmt = select(EscalationSettings).order_by(EscalationSettings.id).limit(1)
        return (await self.session.execute(stmt)).scalar_one_or_none()

    # ------------------------------------------------------------------ reopenings

    async def has_earlier_conversation(self, contact_id: int, conversation_id: int) -> bool:
        stmt = select(Conversation.id).where(
            Conversation.contact_id == contact_id, Conversation.id < conversation_id
        )
        return (await self.session.execute(stmt.limit(1))).first() is not None

    async def conversations_since(self, contact_id: int, since: datetime) -> int:
        """How many conversations of the contact started since `since`, not counting its first ever."""
        first_id = (
            await self.session.execute(
                select(func.min(Conversation.id)).where(Conversation.contact_id == contact_id)
            )
        ).scalar_one()
        stmt = select(func.count()).where(
            Conversation.contact_id == contact_id,
            Conversation.created_at >= since,
            Conversation.id != first_id,
        )
        return int((await self.session.execute(stmt)).scalar_one())

    async def reopened_from_resolved_since(self, contact_id: int, since: datetime) -> int:
        """Status changes of the contact's conversations from resolved back to an active status."""
        stmt = (
            select(HistoryEntry.before, HistoryEntry.after)
            .join(Conversation, Conversation.id == HistoryEntry.conversation_id)
            .where(
                Conversation.contact_id == contact_id,
                HistoryEntry.action == Action.status_changed,
                HistoryEntry.created_at >= since,
            )
        )
        active = {s.value for s in ConversationStatus if s.is_active}
        return sum(
            1
            for before, after in (await self.session.execute(stmt)).all()
            if (before or {}).get("status") == ConversationStatus.resolved.value
            and (after or {}).get("status") in active
        )

    # ------------------------------------------------------------------ auto-reassign

    async def unanswered_since(self, cutoff: datetime, limit: int) -> Sequence[Conversation]:
        """Open conversations held by an attendant, whose customer has waited since before `cutoff`
        and that were assigned before it (the cheap wall-time filter; business time decides)."""
        stmt = (
            select(Conversation)
            .join(Agent, Agent.id == Conversation.assignee_id)
            .where(
                Conversation.status == ConversationStatus.open.value,
                Conversation.waiting_since.is_not(None),
                Conversation.waiting_since <= cutoff,
                Conversation.assigned_at <= cutoff,
                Agent.role == Role.agent.value,
            )
            .order_by(Conversation.waiting_since, Conversation.id)
            .limit(limit)
        )
        return (await self.session.execute(stmt)).scalars().all()
