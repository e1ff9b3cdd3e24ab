from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select

from carinho.atendimento.templates.models import MessageTemplate
from carinho.kit.repository import Repository


class TemplateRepository(Repository[MessageTemplate]):
    model = MessageTemplate

    async def by_key(self, key: str) -> MessageTemplate | None:
        stmt = select(MessageTemplate).where(MessageTemplate.key == key)
        return (await self.session.execute(stmt)).scalar_one_or_none()

    async def by_name(self, name: str) -> MessageTemplate | None:
        stmt = select(MessageTemplate).where(MessageTemplate.name == name)
        return (await self.session.execute(stmt)).scalar_one_or_none()

    async def list(
        self, *, category: str | None = None, active: bool | None = None
    ) -> Sequence[MessageTemplate]:
        stmt = select(MessageTemplate).order_by(MessageTemplate.category, MessageTemplate.name)
        if category:
            stmt = stmt.where(MessageTemplate.category == category)
        if active is not None:
            stmt = stmt.where(MessageTemplate.active == active)
        return (await self.session.execute(stmt)).scalars().all()
