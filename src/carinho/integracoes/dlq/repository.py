"""All queries on the dead-letter table."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, delete, func, select, update

from carinho.integracoes.dlq.models import DeadLetter, DeadLetterStatus
from carinho.kit.repository import Repository


@dataclass(frozen=True)
class DeadLetterFilters:
    status: str | None = None
    kind: str | None = None
    source: str | None = None
    event_type: str | None = None
    target_system: str | None = None
    endpoint_id: int | None = None
    event_id: int | None = None
    created_from: datetime | None = None
    created_to: datetime | None = None
    ids: Sequence[int] | None = None

    def apply(self, stmt: Select[Any]) -> Select[Any]:
        m = DeadLetter
        conditions = [
            (self.status, lambda v: m.status == v),
            (self.kind, lambda v: m.kind == v),
            (self.source, lambda v: m.source == v),
            (self.event_type, lambda v: m.event_type == v),
            (self.target_system, lambda v: m.target_system == v),
            (self.endpoint_id, lambda v: m.endpoint_id == v),
            (self.event_id, lambda v: m.event_id == v),
            (self.created_from, lambda v: m.created_at >= v),
            (self.created_to, lambda v: m.created_at < v),
            (self.ids, lambda v: m.id.in_(list(v))),
        ]
        for value, condition in conditions:
            if value is not None:
                stmt = stmt.where(condition(value))
        return stmt


class DeadLetterRepository(Repository[DeadLetter]):
    model = DeadLetter

    async def get_for_update(self, item_id: int) -> DeadLetter | None:
        return await self.one_locked(select(DeadLetter).where(DeadLetter.id == item_id))

    async def by_step(self, step_id: int) -> DeadLetter | None:
        result = await self.session.execute(select(DeadLetter).where(DeadLetter.step_id == step_id))
        return result.scalar_one_or_none()

    async def by_delivery(self, delivery_id: int) -> DeadLetter | None:
        result = await self.session.execute(select(DeadLetter).where(DeadLetter.delivery_id == delivery_id))
        return result.scalar_one_or_none()

    async def page(
        self, filters: DeadLetterFilters, before_id: int | None, limit: int, after_id: int | None = None
    ) -> Sequence[DeadLetter]:
        """Newest first; `before_id` is the cursor (the last id of the previous page); `after_id`:
        only newer items."""
        stmt = filters.apply(select(DeadLetter))
        if before_id is not None:
            stmt = stmt.where(DeadLetter.id < before_id)
        if after_id is not None:
            stmt = stmt.where(DeadLetter.id > after_id)
        result = await self.session.execute(stmt.order_by(DeadLetter.id.desc()).limit(limit))
        return result.scalars().all()

    async def ids_matching(self, filters: DeadLetterFilters, limit: int) -> list[int]:
        stmt = filters.apply(select(DeadLetter.id)).order_by(DeadLetter.id).limit(limit)
        return list((await self.session.execute(stmt)).scalars())

    async def count_matching(self, filters: DeadLetterFilters, cap: int) -> int:
        """How many items match, counting at most `cap` (never the whole table)."""
        matching = filters.apply(select(DeadLetter.id)).limit(cap).subquery()
        return int((await self.session.execute(select(func.count()).select_from(matching))).scalar_one())

    async def mark_step_items(self, event_id: int, from_status: str, values: dict[str, Any]) -> int:
        result = await self.session.execute(
            update(DeadLetter)
            .where(
                DeadLetter.event_id == event_id,
                DeadLetter.step_id.is_not(None),
                DeadLetter.status == from_status,
            )
            .values(**values)
            .execution_options(synchronize_session=False)
        )
        return int(result.rowcount)  # type: ignore[attr-defined]

    async def delete(self, item_id: int) -> bool:
        result = await self.session.execute(delete(DeadLetter).where(DeadLetter.id == item_id))
        return bool(result.rowcount == 1)  # type: ignore[attr-defined]

    async def count_by(self, column: str, status: str | None = None) -> dict[str, int]:
        col = getattr(DeadLetter, column)
        stmt = select(col, func.count()).group_by(col)
        if status is not None:
            stmt = stmt.where(DeadLetter.status == status)
        return {str(key): int(count) for key, count in await self.session.execute(stmt) if key is not None}

    async def open_by_target(self) -> dict[str | None, int]:
        """Open items per target system (None: the steps'), in one pass over the (status,
        target_system) index: their total is the open count."""
        col = DeadLetter.target_system
        stmt = select(col, func.count()).where(DeadLetter.status == DeadLetterStatus.open.value).group_by(col)
        return {key: int(count) for key, count in await self.session.execute(stmt)}

    async def new_by_target_since(self, since: datetime) -> dict[str, int]:
        """Items (of any status) created since then, per target system ('' for none)."""
        statuses = [s.value for s in DeadLetterStatus]
        rows = await self.session.execute(
            select(DeadLetter.target_system, func.count())
            .where(DeadLetter.status.in_(statuses), DeadLetter.created_at >= since)
            .group_by(DeadLetter.target_system)
        )
        return {str(target or ""): int(count) for target, count in rows.all()}

    async def oldest_open(self) -> datetime | None:
        result = await self.session.execute(
            select(func.min(DeadLetter.created_at)).where(DeadLetter.status == DeadLetterStatus.open.value)
        )
        return result.scalar_one_or_none()
