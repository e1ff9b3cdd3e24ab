"""The WAL checkpointer copies into the database file what connections without auto-checkpoint
left in the WAL."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

from carinho.kit.sqlite_checkpoint import WalCheckpointer


def _rows_in_main_file(path: Path, tmp_path: Path) -> int:
    """Rows of `t` in the database file alone, as if the WAL were lost."""
    copy = tmp_path / "copy.sqlite3"
    shutil.copyfile(path, copy)
    with sqlite3.connect(copy) as connection:
        tables = connection.execute("SELECT count(*) FROM sqlite_master WHERE name = 't'").fetchone()[0]
        return int(connection.execute("SELECT count(*) FROM t").fetchone()[0]) if tables else 0


def test_stop_checkpoints_what_the_writer_left(tmp_path: Path) -> None:
    path = tmp_path / "db.sqlite3"
    writer = sqlite3.connect(path, isolation_level=None)
    writer.execute("PRAGMA journal_mode=WAL")
    writer.execute("PRAGMA wal_autocheckpoint=0")
    writer.execute("CREATE TABLE t (n INTEGER)")
    checkpointer = WalCheckpointer(str(path), interval_seconds=3600)  # only the final checkpoint runs
    checkpointer.start()
    for n in range(1500):  # past the 1 000 pages that would trigger an automatic checkpoint
        writer.execute("INSERT INTO t VALUES (?)", (n,))
    assert _rows_in_main_file(path, tmp_path) == 0  # all of it still only in the WAL
    checkpointer.stop()
    assert _rows_in_main_file(path, tmp_path) == 1500
    writer.close()


def test_a_failed_checkpoint_is_logged_not_raised(tmp_path: Path) -> None:
    checkpointer = WalCheckpointer(str(tmp_path / "db.sqlite3"), interval_seconds=3600)
    connection = sqlite3.connect(":memory:")
    connection.close()
    checkpointer.checkpoint(connection)  # a closed connection raises sqlite3.ProgrammingError inside
