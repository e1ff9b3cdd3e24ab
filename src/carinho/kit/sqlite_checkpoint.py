"""WAL checkpoints of an SQLite file from a thread of their own.

By default the connection whose commit takes the WAL past 1 000 pages copies them into the database
file and syncs it, there and then: a few milliseconds, every few thousand webhooks, spent inside one
group commit while its requests wait (most of the ingest's p99). The connections of the webhook
group commit turn that off (`PRAGMA wal_autocheckpoint=0`) and this thread checkpoints instead, every
`interval` seconds, in PASSIVE mode: it never waits for, nor blocks, readers and writers. Every 5 s by
default: each checkpoint is a burst of I/O beside the writer's, and a page changed many times between
two checkpoints is copied once (p99 at 500 webhooks/s: ~3.8 ms checkpointing every second, ~2.7 ms
every 5 s, in runs of bench/loadgen.py; the WAL then holds at most ~5 s of writes).
"""

from __future__ import annotations

import sqlite3
import threading

from carinho.logging import get_logger

log = get_logger(__name__)


class WalCheckpointer:
    def __init__(self, path: str, interval_seconds: float = 5.0) -> None:
        self.path = path
        self.interval_seconds = interval_seconds
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="sqlite-wal-checkpoint", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join()

    def checkpoint(self, connection: sqlite3.Connection) -> None:
        try:
            connection.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
        except sqlite3.Error as exc:  # e.g. the file went away in a test; try again next time
            log.warning("sqlite.checkpoint_failed", path=self.path, error=str(exc))

    def _run(self) -> None:
        connection = sqlite3.connect(self.path, timeout=5.0, check_same_thread=False)
        try:
            while not self._stop.wait(self.interval_seconds):
                self.checkpoint(connection)
            self.checkpoint(connection)
        finally:
            connection.close()
