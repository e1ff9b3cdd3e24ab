"""Group commit: the items of concurrent requests share one transaction.

Each request queues its item and waits for its future. One drain task per committer lets the event
loop turn while turns bring more items (`_gather`), takes what is queued (up to `max_batch`), stores
it in one transaction, commits, and only then resolves the batch's futures and hands what the store
returned for after the commit (`after_commit`: the outbox rows to publish); then it takes the next
batch, if requests queued meanwhile. So an answer still means "committed" (ARCHITECTURE §4,
invariant 1), while the database sees one write transaction per batch instead of one per request.

On the embedded SQLite the batch is written on the event loop itself (`_store_on_loop`), on a
synchronous connection that never waits for the write lock (`Database.no_wait_engine`). In a worker
thread the same work cost more than itself: each statement handed the GIL back and forth with the
busy event loop. While another connection holds the lock (a worker's transaction, another process),
that batch goes to a worker thread and waits there as long as the busy timeout allows. On the server
databases the batch is stored in an async session (`store_in_session`), as the plain path stores one.

If a batch fails otherwise, its items are stored again one by one, so an item that cannot be stored
fails alone and the others of its batch are still accepted.

A unique-key race with another process (two transactions inserting the same key) fails that batch
with IntegrityError (or a deadlock on MariaDB); the batch is rolled back and stored again, and the
second pass finds the winner's row.
"""

from __future__ import annotations

import asyncio
import threading
import weakref
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from prometheus_client import Histogram
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError

from carinho.kit.db import Database, is_sqlite_busy
from carinho.kit.fast_ingest.batch_sql import PLAIN_SQL
from carinho.logging import get_logger

log = get_logger(__name__)

Item = TypeVar("Item")
Result = TypeVar("Result")

# Stores a batch in the connection's transaction (the caller commits): one result per item, in
# order, and what to hand to `AfterCommit` once committed. Synchronous: it runs whole on the event
# loop, in a worker thread or through `AsyncSession.run_sync`, whichever the path.
Store = Callable[[Connection, Sequence[Item]], tuple[list[Result], list[Any]]]
AfterCommit = Callable[[list[Any]], None]

RACE_RETRIES = 5
_MYSQL_DEADLOCK_CODES = {1205, 1213}  # lock wait timeout, deadlock: InnoDB rolled us back

batch_events = Histogram(
    "carinho_ingest_batch_events",
    "Inbound events stored per group-commit transaction",
    buckets=(1, 2, 4, 8, 16, 32, 64, 128, 256),
)


def _is_race(exc: DBAPIError) -> bool:
    if isinstance(exc, IntegrityError):
        return True
    code = getattr(exc.orig, "args", (None,))[0] if exc.orig is not None else None
    return code in _MYSQL_DEADLOCK_CODES or "deadlock" in str(exc.orig).lower()


async def store_in_session(
    db: Database, store: Store[Item, Result], items: Sequence[Item], *, plain_sql: bool = False
) -> tuple[list[Result], list[Any]]:
    """`store` in a session of its own, committed; retried on a unique-key race. The server
    databases' batches, and every request's own transaction on the plain path (`plain_sql`: Core's
    statements on SQLite too)."""
    options = {PLAIN_SQL: True} if plain_sql else {}
    for attempt in range(1, RACE_RETRIES + 1):
        try:
            async with db.session() as session:
                stored = await session.run_sync(
                    lambda sync: store(sync.connection(execution_options=options), items)
                )
                await session.commit()
                return stored
        except DBAPIError as exc:
            if not _is_race(exc) or attempt == RACE_RETRIES:
                raise
            log.info("events.ingest_race_retry", attempt=attempt, batch=len(items))
    raise AssertionError("unreachable")


@dataclass
class _Waiter(Generic[Item, Result]):
    item: Item
    future: asyncio.Future[Result]


class GroupCommitter(Generic[Item, Result]):
    """One per database and event loop (see `committer_for`)."""

    def __init__(
        self,
        db: Database,
        store: Store[Item, Result],
        after_commit: AfterCommit,
        max_batch: int,
        max_wait: float = 0.0,
    ) -> None:
        self.db = db
        self.store = store
        self.after_commit = after_commit
        self.max_batch = max_batch
        self.max_wait = max_wait  # seconds; 0: a batch takes what is queued when its turn comes
        self.loop = asyncio.get_running_loop()
        self._queue: list[_Waiter[Item, Result]] = []
        self._draining: asyncio.Task[None] | None = None
        self._connection: Connection | None = None  # SQLite: see `_store_on_loop`
        self.batches = 0  # flushed transactions (observability and tests)

    async def submit(self, item: Item) -> Result:
        future: asyncio.Future[Result] = self.loop.create_future()
        self._queue.append(_Waiter(item, future))
        if self._draining is None:
            self._draining = self.loop.create_task(self._drain())
        return await future

    async def _drain(self) -> None:
        try:
            while self._queue:
                await self._gather()
                batch = self._queue[: self.max_batch]
                del self._queue[: self.max_batch]
                await self._flush(batch)
        finally:
            self._draining = None

    async def _gather(self) -> None:
        """Let the event loop turn while each turn brings more items, until the batch is full or has
        waited `max_wait`. Requests whose bytes arrived with the first one's are parsed in the turns
        that follow; under load the batch then holds nearly every request in flight instead of a
        fraction of them: fewer, larger transactions (a commit costs mostly per page written, not
        per row; 64 connections at saturation: ~23 → ~63 events a batch, ~15 µs less a request).
        At low rates a turn brings nothing and the batch goes at once."""
        deadline = self.loop.time() + self.max_wait
        queued = -1
        while queued != len(self._queue) and len(self._queue) < self.max_batch:
            if self.loop.time() >= deadline:
                return
            queued = len(self._queue)
            await asyncio.sleep(0)

    async def _flush(self, batch: list[_Waiter[Item, Result]]) -> None:
        try:
            results = await self._store_with_retries([w.item for w in batch])
        except Exception as exc:
            if len(batch) == 1:
                self._fail(batch, exc)
                return
            # One item that cannot be stored must not fail the others: each is stored alone.
            log.warning("events.ingest_batch_failed", batch=len(batch), error=type(exc).__name__)
            try:
                for waiter in batch:
                    await self._flush([waiter])
            except BaseException as stop:  # cancelled meanwhile: the rest learn nothing was committed
                self._fail(batch, stop)
                raise
            return
        except BaseException as exc:  # cancelled: every waiter learns that nothing was committed
            self._fail(batch, exc)
            raise
        self.batches += 1
        batch_events.observe(len(batch))
        for waiter, result in zip(batch, results, strict=True):
            if not waiter.future.done():
                waiter.future.set_result(result)

    @staticmethod
    def _fail(batch: list[_Waiter[Item, Result]], exc: BaseException) -> None:
        for waiter in batch:
            if not waiter.future.done():
                waiter.future.set_exception(exc)

    async def _store_with_retries(self, items: list[Item]) -> list[Result]:
        if self.db.backend != "sqlite":
            results, pending = await store_in_session(self.db, self.store, items)
            self.after_commit(pending)
            return results
        for attempt in range(1, RACE_RETRIES + 1):
            try:
                try:
                    results, pending = self._store_on_loop(items)
                except OperationalError as exc:
                    if not is_sqlite_busy(exc):
                        raise
                    results, pending = await asyncio.to_thread(
                        self._store_in_thread, self.db.thread_engine(), items
                    )
                self.after_commit(pending)
                return results
            except DBAPIError as exc:
                if not _is_race(exc) or attempt == RACE_RETRIES:
                    raise
                log.info("events.ingest_race_retry", attempt=attempt, batch=len(items))
        raise AssertionError("unreachable")

    def _store_on_loop(self, items: list[Item]) -> tuple[list[Result], list[Any]]:
        """On the committer's own no-wait connection, kept between batches: checking one out of the
        pool and back for every batch cost a fifth of a lone event's transaction."""
        if self._connection is None:
            self._connection = self.db.no_wait_engine().connect()
        try:
            with self._connection.begin():
                return self.store(self._connection, items)
        except BaseException:
            self._connection.close()  # whatever state it was left in, the next batch starts afresh
            self._connection = None
            raise

    def _store_in_thread(self, engine: Engine, items: list[Item]) -> tuple[list[Result], list[Any]]:
        with engine.begin() as connection:
            return self.store(connection, items)


# Per thread: at most one event loop runs on a thread at a time, so a committer made on this thread
# whose loop is running is the running loop's. Found without `asyncio.get_running_loop()`, which costs
# a getpid() system call on Python 3.11 (a few µs per request on a busy VM).
_per_thread = threading.local()


def committer_for(
    db: Database,
    store: Store[Item, Result],
    after_commit: AfterCommit,
    max_batch: int,
    max_wait: float,
) -> GroupCommitter[Item, Result]:
    committers: weakref.WeakKeyDictionary[Database, GroupCommitter[Any, Any]] | None
    committers = getattr(_per_thread, "committers", None)
    if committers is None:
        committers = _per_thread.committers = weakref.WeakKeyDictionary()
    committer = committers.get(db)
    if (
        committer is None
        or not committer.loop.is_running()
        or (committer.max_batch, committer.max_wait, committer.store) != (max_batch, max_wait, store)
    ):
        committer = committers[db] = GroupCommitter(db, store, after_commit, max_batch, max_wait)
    return committer
