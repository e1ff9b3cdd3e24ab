from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from carinho.atendimento.labels.models import Label
from carinho.atendimento.labels.repository import LabelRepository
from carinho.errors import Conflict


class LabelService:
    async def list(self, session: AsyncSession) -> Sequence[Label]:
        return await LabelRepository(session).all_by_name()

    async def usage(self, session: AsyncSession) -> dict[int, int]:
        """How many conversations carry each label (labels on none are left out)."""
        return await LabelRepository(session).conversation_counts()

    async def get(self, session: AsyncSession, label_id: int) -> Label:
        return await LabelRepository(session).get_or_404(label_id, "Etiqueta não encontrada.")

    async def _ensure_unique(self, session: AsyncSession, name: str, exclude_id: int | None = None) -> None:
        found = await LabelRepository(session).id_named(name)
        if found is not None and found != exclude_id:
            raise Conflict(f"Já existe uma etiqueta chamada {name}.")

    async def create(self, session: AsyncSession, *, name: str, color: str, description: str) -> Label:
        await self._ensure_unique(session, name.strip())
        label = Label(name=name.strip(), color=color.upper(), description=description)
        LabelRepository(session).add(label)
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
