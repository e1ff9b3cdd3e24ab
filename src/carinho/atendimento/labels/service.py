from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from carinho.atendimento.inbox.models import conversation_labels
from carinho.atendimento.labels.models import Label
from carinho.errors import Conflict, NotFound


class LabelService:
    async def list(self, session: AsyncSession) -> Sequence[Label]:
        return (await session.execute(select(Label).order_by(Label.name))).scalars().all()

    async def usage(self, session: AsyncSession) -> dict[int, int]:
        """How many conversations carry each label (labels on none are left out)."""
        stmt = select(conversation_labels.c.label_id, func.count()).group_by(conversation_labels.c.label_id)
        return {int(label_id): int(n) for label_id, n in (await session.execute(stmt)).all()}

    async def get(self, session: AsyncSession, label_id: int) -> Label:
        label = await session.get(Label, label_id)
        if label is None:
            raise NotFound("Etiqueta não encontrada.")
        return label

    async def _ensure_unique(self, session: AsyncSession, name: str, exclude_id: int | None = None) -> None:
        found = (await session.execute(select(Label.id).where(Label.name == name))).scalar_one_or_none()
        if found is not None and found != exclude_id:
            raise Conflict(f"Já existe uma etiqueta chamada {name}.")

    async def create(self, session: AsyncSession, *, name: str, color: str, description: str) -> Label:
        await self._ensure_unique(session, name.strip())
        label = Label(name=name.strip(), color=color.upper(), description=description)
        session.add(label)
        await session.flush()
        return label

    async def update(
        self,
        session: AsyncSession,
        label: Label,
        *,
        name: str | None,
        color: str | None,
        description: str | None,
    ) -> Label:
        if name is not None:
            await self._ensure_unique(session, name.strip(), label.id)
            label.name = name.strip()
        if color is not None:
            label.color = color.upper()
        if description is not None:
            label.description = description
        await session.flush()
        return label

    async def delete(self, session: AsyncSession, label: Label) -> None:
        await session.delete(label)
        await session.flush()


label_service = LabelService()
