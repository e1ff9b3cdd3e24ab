"""`Database.read_session` reads a snapshot without the write lock: on SQLite every other
transaction begins IMMEDIATE, so a read in one waits for any writer (and holds writers back)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from carinho.kit.db import Database


async def test_a_read_session_reads_while_another_connection_holds_the_write_lock(tmp_path: Path) -> None:
    path = tmp_path / "db.sqlite3"
    db = Database(f"sqlite+aiosqlite:///{path}", busy_timeout_ms=0)  # waiting for the lock fails at once
    async with db.session() as session:
        await session.execute(text("CREATE TABLE t (n INTEGER)"))
        await session.execute(text("INSERT INTO t VALUES (1)"))
        await session.commit()
    writer = sqlite3.connect(path, isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")
    writer.execute("INSERT INTO t VALUES (2)")  # not committed: the read sees the last commit
    try:
        async with db.read_session() as session:
            assert (await session.execute(text("SELECT count(*) FROM t"))).scalar_one() == 1
        # An ordinary session needs the lock the writer holds.
        async with db.session() as session:
            with pytest.raises(OperationalError, match="locked"):
                await session.execute(text("SELECT count(*) FROM t"))
    finally:
        writer.execute("ROLLBACK")
        writer.close()
        await db.dispose()
