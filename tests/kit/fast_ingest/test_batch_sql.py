"""`insert_returning` writes what Core's INSERT writes (its own statement on SQLite), returns every new
row, fills left-out columns with their defaults, and splits past SQLite's parameter limit; `select_in`
finds what Core's expanding IN finds; both fail as Core does."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import Table, insert, select
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from carinho.kit.clock import utcnow
from carinho.kit.fast_ingest.batch_sql import insert_returning, select_in
from carinho.runtime import Runtime


def _outbox(rt: Runtime) -> Table:
    table: Table = rt.spec("integracoes").outbox.__table__  # type: ignore[attr-defined]
    return table


def _rows(prefix: str, count: int) -> list[dict[str, Any]]:
    now = utcnow()
    later = now + timedelta(seconds=90)
    return [
        {
            "job": "integracoes.process_event",
            "lane": "integrations-high" if n % 2 else "notifications",
            "args": {"event_id": n, "nome": "Conceição", "tags": [1, None]},
            "status": "pending",
            "attempts": 0,
            "max_attempts": 8,
            "time_limit_seconds": 60,
            "dedupe_key": f"{prefix}-{n}",
            "available_at": now,
            "visible_at": later,
            "last_error": None,
        }
        for n in range(count)
    ]


async def _run(rt: Runtime, work: Any) -> Any:
    async with rt.db("integracoes").engine.begin() as connection:
        return await connection.run_sync(work)


def _stored(connection: Connection, table: Table, prefix: str) -> list[dict[str, Any]]:
    rows = connection.execute(
        select(table).where(table.c.dedupe_key.like(f"{prefix}-%")).order_by(table.c.id)
    ).mappings()
    return [{k: v for k, v in row.items() if k not in ("id", "dedupe_key", "created_at")} for row in rows]


async def test_writes_what_core_writes(rt: Runtime) -> None:
    table = _outbox(rt)

    def both(connection: Connection) -> tuple[list[Any], list[Any], list[Any]]:
        returned = insert_returning(connection, table, _rows("ours", 5), ("id", "lane"))
        connection.execute(insert(table), _rows("core", 5))
        return returned, _stored(connection, table, "ours"), _stored(connection, table, "core")

    returned, ours, core = await _run(rt, both)
    assert len(returned) == 5 and len({row.id for row in returned}) == 5
    assert sorted(row.lane for row in returned) == sorted(r["lane"] for r in _rows("x", 5))
    assert [{**row, "available_at": None, "visible_at": None} for row in ours] == [
        {**row, "available_at": None, "visible_at": None} for row in core
    ]
    assert ours[0]["args"] == {"event_id": 0, "nome": "Conceição", "tags": [1, None]}
    assert ours[0]["visible_at"] - ours[0]["available_at"] == timedelta(seconds=90)


async def test_left_out_columns_take_their_defaults(rt: Runtime) -> None:
    table = _outbox(rt)
    rows = [{"job": "j", "lane": "notifications", "dedupe_key": f"defaults-{n}"} for n in range(3)]

    def insert_and_read(connection: Connection) -> list[Any]:
        insert_returning(connection, table, rows, ("id",))
        return list(connection.execute(select(table).where(table.c.dedupe_key.like("defaults-%"))).mappings())

    stored = await _run(rt, insert_and_read)
    assert len(stored) == 3
    for row in stored:
        assert (row["args"], row["status"], row["attempts"], row["max_attempts"]) == ({}, "pending", 0, 8)
        assert row["created_at"] is not None and row["available_at"] is not None


async def test_more_rows_than_one_statement_can_carry(rt: Runtime) -> None:
    table = _outbox(rt)
    count = 32766 // 11 + 50  # past SQLite's parameter limit for 11 columns

    returned = await _run(rt, lambda c: insert_returning(c, table, _rows("many", count), ("id",)))
    assert len({row.id for row in returned}) == count


async def test_no_rows_is_no_statement(rt: Runtime) -> None:
    assert await _run(rt, lambda c: insert_returning(c, _outbox(rt), [], ("id",))) == []


async def test_returned_values_are_the_column_types_python_values(rt: Runtime) -> None:
    table = _outbox(rt)
    rows = _rows("typed", 2)
    returned = await _run(rt, lambda c: insert_returning(c, table, rows, ("id", "available_at", "args")))
    assert {row.available_at for row in returned} == {rows[0]["available_at"]}  # aware UTC datetimes
    assert sorted(row.args["event_id"] for row in returned) == [0, 1]


async def test_select_in_finds_the_rows_among_the_values(rt: Runtime) -> None:
    table = _outbox(rt)

    def insert_and_find(connection: Connection) -> tuple[list[Any], list[Any]]:
        insert_returning(connection, table, _rows("among", 4), ("id",))
        wanted = ["among-1", "among-3", "among-9"]
        found = select_in(
            connection,
            table,
            ("dedupe_key", "available_at"),
            ("lane", "integrations-high"),
            ("dedupe_key", wanted),
        )
        return found, select_in(connection, table, ("id",), ("lane", "notifications"), ("dedupe_key", []))

    found, none = await _run(rt, insert_and_find)
    assert sorted(row.dedupe_key for row in found) == ["among-1", "among-3"]  # odd rows are high lane
    assert all(row.available_at.tzinfo is not None for row in found)
    assert none == []


async def test_a_duplicate_fails_with_core_s_integrity_error(rt: Runtime) -> None:
    table = _outbox(rt)
    rows = _rows("twice", 1)

    def insert_twice(connection: Connection) -> None:
        insert_returning(connection, table, rows, ("id",))
        insert_returning(connection, table, rows, ("id",))

    with pytest.raises(IntegrityError):
        await _run(rt, insert_twice)
