from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from carinho.atendimento.funnel.models import DocumentDispatch, FunnelTransition, LossReason


class FunnelRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

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

    def add(self, row: object) -> None:
        self.session.add(row)
