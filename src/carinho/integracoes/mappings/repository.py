"""Every query of the mappings."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import ScalarSelect, func, select, update

from carinho.integracoes.mappings.models import MappingGeneration, MappingVersion
from carinho.kit.repository import SessionRepository

GENERATION_ROW = 1


class MappingRepository(SessionRepository):
    async def active(self) -> Sequence[MappingVersion]:
        result = await self.session.execute(
            select(MappingVersion)
            .where(MappingVersion.is_active.is_(True))
            .order_by(MappingVersion.event_type, MappingVersion.target_system)
        )
        return result.scalars().all()

    async def listing(self, event_type: str | None, target_system: str | None) -> Sequence[MappingVersion]:
        stmt = select(MappingVersion).where(MappingVersion.is_active.is_(True))
        if event_type:
            stmt = stmt.where(MappingVersion.event_type == event_type)
        if target_system:
            stmt = stmt.where(MappingVersion.target_system == target_system)
        stmt = stmt.order_by(MappingVersion.event_type, MappingVersion.target_system)
        return (await self.session.execute(stmt)).scalars().all()

    async def get_active(self, event_type: str, target_system: str) -> MappingVersion | None:
        result = await self.session.execute(
            select(MappingVersion).where(
                MappingVersion.event_type == event_type,
                MappingVersion.target_system == target_system,
                MappingVersion.is_active.is_(True),
            )
        )
        return result.scalars().first()

    async def versions(self, event_type: str, target_system: str) -> Sequence[MappingVersion]:
        result = await self.session.execute(
            select(MappingVersion)
            .where(MappingVersion.event_type == event_type, MappingVersion.target_system == target_system)
            .order_by(MappingVersion.version.desc())
        )
        return result.scalars().all()

    async def get_version(self, event_type: str, target_system: str, version: int) -> MappingVersion | None:
        result = await self.session.execute(
            select(MappingVersion).where(
                MappingVersion.event_type == event_type,
                MappingVersion.target_system == target_system,
                MappingVersion.version == version,
            )
        )
        return result.scalars().first()

    async def last_version(self, event_type: str, target_system: str) -> int:
        result = await self.session.execute(
            select(func.max(MappingVersion.version)).where(
                MappingVersion.event_type == event_type, MappingVersion.target_system == target_system
            )
        )
        return int(result.scalar_one() or 0)

    async def deactivate_pair(self, event_type: str, target_system: str) -> None:
        await self.session.execute(
            update(MappingVersion)
            .where(
                MappingVersion.event_type == event_type,
                MappingVersion.target_system == target_system,
                MappingVersion.is_active.is_(True),
            )
            .values(is_active=False)
            # rows already loaded in this session (a page that lists the versions after a
            # change) see the change too
            .execution_options(synchronize_session="evaluate")
        )

    async def mapped_event_types(self) -> set[str]:
        return set((await self.session.execute(select(MappingVersion.event_type).distinct())).scalars())

    async def mapped_target_systems(self) -> set[str]:
        return set((await self.session.execute(select(MappingVersion.target_system).distinct())).scalars())

    async def generation(self) -> tuple[str, int]:
        result = await self.session.execute(
            select(MappingGeneration.token, MappingGeneration.generation).where(
                MappingGeneration.id == GENERATION_ROW
            )
        )
        row = result.first()
        return (row.token, row.generation) if row is not None else ("", 0)

    @staticmethod
    def generation_columns() -> tuple[ScalarSelect[str], ScalarSelect[int]]:
        """The counter's token and generation as two columns of another query, which reads them
        without a statement of its own (NULL when the row is missing: `("", 0)` for `generation`)."""
        row = MappingGeneration.id == GENERATION_ROW
        return (
            select(MappingGeneration.token).where(row).scalar_subquery(),
            select(MappingGeneration.generation).where(row).scalar_subquery(),
        )

    async def bump_generation(self) -> None:
        result = await self.session.execute(
            update(MappingGeneration)
            .where(MappingGeneration.id == GENERATION_ROW)
            .values(generation=MappingGeneration.generation + 1)
            .execution_options(synchronize_session=False)
        )
        if result.rowcount == 0:  # type: ignore[attr-defined]
            self.session.add(MappingGeneration(id=GENERATION_ROW, generation=1, token=uuid.uuid4().hex))
