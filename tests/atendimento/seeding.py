"""The `seeded` fixture's defaults, written by `seed_defaults` once per worker and database, then put
back as rows.

`seed_defaults` asks for each default whether it exists (~60 statements) before it writes it; on
an empty database what it writes is always the same. The first time a worker seeds an empty
database, the rows it wrote are kept (every table, as read back); later tests on that database, once
`rt` has emptied it, get the same rows in one INSERT per table. Timestamps written during the seed
move by the time since, as if it ran now. A database that is not empty (a fixture wrote first) is
seeded by `seed_defaults` itself, as are tests of the seed (which call it on their own)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Table, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from carinho.atendimento.seed import seed_defaults
from carinho.kit import clock


@dataclass(frozen=True)
class Snapshot:
    started: datetime  # the clock just before and just after the seed wrote them
    finished: datetime
    rows: dict[str, list[dict[str, Any]]]  # table name -> rows, parents first


_snapshots: dict[str, Snapshot] = {}


async def _filled(session: AsyncSession, tables: list[Table]) -> list[bool]:
    """Which tables hold rows, in one statement."""
    holds_rows = select(*(select(table).exists().label(f"t{i}") for i, table in enumerate(tables)))
    return list((await session.execute(holds_rows)).one())


async def seed(session: AsyncSession, tables: list[Table], key: str) -> None:
    """Seed the defaults as `seed_defaults` would; `tables` are the context's, parents first; `key`
    names the database. Commits."""
    if any(await _filled(session, tables)):
        await seed_defaults(session)
        await session.commit()
        return
    snapshot = _snapshots.get(key)
    if snapshot is None:
        started = clock.utcnow()
        await seed_defaults(session)
        await session.commit()
        finished = clock.utcnow()
        rows: dict[str, list[dict[str, Any]]] = {}
        for table, filled in zip(tables, await _filled(session, tables), strict=True):
            if filled:
                rows[table.name] = [dict(row) for row in (await session.execute(select(table))).mappings()]
        _snapshots[key] = Snapshot(started, finished, rows)
        return
    shift = clock.utcnow() - snapshot.started
    by_name = {table.name: table for table in tables}
    for name, table_rows in snapshot.rows.items():
        await session.execute(insert(by_name[name]), [_moved(row, snapshot, shift) for row in table_rows])
    await session.commit()


def _moved(row: dict[str, Any], snapshot: Snapshot, shift: timedelta) -> dict[str, Any]:
    return {
        column: value + shift
        if isinstance(value, datetime) and snapshot.started <= value <= snapshot.finished
        else value
        for column, value in row.items()
    }
