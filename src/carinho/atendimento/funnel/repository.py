from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from carinho.atendimento.funnel.models import DocumentDispatch, FunnelStage, FunnelTransition, LossReason
from carinho.atendimento.inbox.models import Conversation
from carinho.kit.repository import SessionRepository


class FunnelRepository(SessionRepository):
    async def loss_reasons(self, *, active: bool | None = None) -> Sequence[LossReason]:
        stmt = select(LossReason).order_by(LossReason.position, LossReason.id)
        if active is not None:
            stmt = stmt.where(LossReason.active == active)
        return (await self.session.execute(stmt)).scalars().all()

    async def loss_reason(self, reason_id: int) -> LossReason | None:
        return await self.session.get(LossReason, reason_id)

    async def loss_reason_by_code(self, code: str) -> LossReason | None:
        stmt = select(LossReason).where(LossReason.code == code)
        return (await self.session.execute(stmt)).scalar_one_or_none()

    async def losses_per_reason(self) -> dict[int, int]:
        """Every loss recorded with each reason, all time (why a used reason is kept)."""
        stmt = (
            select(FunnelTransition.loss_reason_id, func.count())
            .where(FunnelTransition.loss_reason_id.is_not(None))
            .group_by(FunnelTransition.loss_reason_id)
        )
        rows = (await self.session.execute(stmt)).all()
        return {int(reason_id): int(n) for reason_id, n in rows if reason_id is not None}

    async def transitions(self, conversation_id: int) -> Sequence[FunnelTransition]:
        stmt = (
            select(FunnelTransition)
            .where(FunnelTransition.conversation_id == conversation_id)
            .order_by(FunnelTransition.created_at, FunnelTransition.id)
        )
        return (await self.session.execute(stmt)).scalars().all()

    async def documents(self, conversation_id: int) -> Sequence[DocumentDispatch]:
        stmt = (
            select(DocumentDispatch)
            .where(DocumentDispatch.conversation_id == conversation_id)
            .order_by(DocumentDispatch.id)
        )
        return (await self.session.execute(stmt)).scalars().all()

    async def document(self, document_id: int) -> DocumentDispatch | None:
        return await self.session.get(DocumentDispatch, document_id)

    # ------------------------------------------------------------------ the board and the report

    async def stage_counts(self) -> dict[str, int]:
        stmt = select(Conversation.funnel_stage, func.count()).group_by(Conversation.funnel_stage)
        return {stage: int(n) for stage, n in (await self.session.execute(stmt)).all()}

    async def leads_in_stage(self, stage: FunnelStage, limit: int) -> Sequence[Conversation]:
        """The most recently active conversations in `stage`, with contact and assignee loaded."""
        stmt = (
            select(Conversation)
            .where(Conversation.funnel_stage == stage.value)
            .options(selectinload(Conversation.contact), selectinload(Conversation.assignee))
            .order_by(Conversation.last_activity_at.desc(), Conversation.id.desc())
            .limit(limit)
        )
        return (await self.session.execute(stmt)).scalars().all()

    async def new_leads(self, start: datetime, end: datetime) -> int:
        stmt = select(func.count()).where(Conversation.created_at >= start, Conversation.created_at < end)
        return int((await self.session.execute(stmt)).scalar_one())

    async def reached(self, stages: Sequence[FunnelStage], start: datetime, end: datetime) -> int:
        """How many conversations moved into any of `stages` in the period."""
        stmt = select(func.count(func.distinct(FunnelTransition.conversation_id))).where(
            FunnelTransition.to_stage.in_([s.value for s in stages]),
            FunnelTransition.created_at >= start,
            FunnelTransition.created_at < end,
        )
        return int((await self.session.execute(stmt)).scalar_one())

    async def losses_by_reason(self, start: datetime, end: datetime) -> list[tuple[int | None, int]]:
        stmt = (
            select(FunnelTransition.loss_reason_id, func.count())
            .where(
                FunnelTransition.to_stage == FunnelStage.lost.value,
                FunnelTransition.created_at >= start,
                FunnelTransition.created_at < end,
            )
            .group_by(FunnelTransition.loss_reason_id)
        )
        return [(reason_id, int(n)) for reason_id, n in (await self.session.execute(stmt)).all()]
