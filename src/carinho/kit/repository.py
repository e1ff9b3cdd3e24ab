"""The base of every context's repository (queries live in repositories; services call them).

`SessionRepository` holds the session and what any repository does: `add` a row, count a model's
rows, read one page of a query, read one row locked for update. `Repository[Model]` names its main
model (`model = Agent`) and adds `get`, `get_or_404` and `count`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Generic, TypeVar, TypeVarTuple

from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from carinho.errors import NotFound

ModelT = TypeVar("ModelT")
RowT = TypeVar("RowT")
ColumnsT = TypeVarTuple("ColumnsT")


class SessionRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    def add(self, row: RowT) -> RowT:
        """Adds a new row (of any of the context's models) to the session; returns it."""
        self.session.add(row)
        return row

    async def count_of(self, model: type[Any], *where: Any) -> int:
        """How many rows of `model` match `where` (all of them without a condition)."""
        stmt = select(func.count()).select_from(model).where(*where)
        return int((await self.session.execute(stmt)).scalar_one())

    async def page_of(self, stmt: Select[RowT], *, limit: int, offset: int = 0) -> Sequence[RowT]:
        """One page (`limit` rows after `offset`) of an ordered single-entity query."""
        return (await self.session.execute(stmt.limit(limit).offset(offset))).scalars().all()

    def locked(self, stmt: Select[*ColumnsT], *, of: Any = None) -> Select[*ColumnsT]:
        """The query locking its rows (`of`: only that entity's, when relations are loaded with it)
        until the commit on server databases; as it is on SQLite, which serialises writers itself."""
        if self.session.get_bind().dialect.name == "sqlite":
            return stmt
        return stmt.with_for_update(of=of) if of is not None else stmt.with_for_update()

    async def one_locked(self, stmt: Select[RowT]) -> RowT | None:
        """The query's one row (or None), locked until the commit (see `locked`)."""
        return (await self.session.execute(self.locked(stmt))).scalar_one_or_none()


class Repository(SessionRepository, Generic[ModelT]):
    model: type[ModelT]

    async def get(self, row_id: Any) -> ModelT | None:
        return await self.session.get(self.model, row_id)

    async def get_or_404(self, row_id: Any, message: str) -> ModelT:
        """The row, or NotFound with `message` (pt-BR: the person reads it)."""
        row = await self.get(row_id)
        if row is None:
            raise NotFound(message)
        return row

    async def count(self, *where: Any) -> int:
        """How many rows of the model match `where` (all of them without a condition)."""
        return await self.count_of(self.model, *where)
