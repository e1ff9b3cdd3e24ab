from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select

from carinho.atendimento.automations.models import AutoMessageFiring, AutoMessageRule
from carinho.kit.repository import SessionRepository


class AutomationRepository(SessionRepository):
    async def rules(self) -> Sequence[AutoMessageRule]:
        return (
            (await self.session.execute(select(AutoMessageRule).order_by(AutoMessageRule.id))).scalars().all()
        )

    async def rule(self, kind: str) -> AutoMessageRule | None:
        stmt = select(AutoMessageRule).where(AutoMessageRule.kind == kind)
        return (await self.session.execute(stmt)).scalar_one_or_none()

    async def fired(self, trigger_key: str) -> bool:
        stmt = select(AutoMessageFiring.id).where(AutoMessageFiring.trigger_key == trigger_key)
        return (await self.session.execute(stmt)).first() is not None

    async def firings(self, conversation_id: int) -> Sequence[AutoMessageFiring]:
        stmt = (
            select(AutoMessageFiring)
            .where(AutoMessageFiring.conversation_id == conversation_id)
            .order_by(AutoMessageFiring.id)
        )
        return (await self.session.execute(stmt)).scalars().all()
