"""Group commit of inbound events: the events of concurrent requests share one transaction.

Each request queues its event and waits for its future. One drain task per committer lets the event
loop turn while turns bring more events (`_gather`), takes what is queued (up to `ingest_batch_max`),
stores it in one transaction with the outbox rows, commits, and only then resolves the batch's
futures; then it takes the next batch, if requests queued meanwhile. So a 2xx still means "committed"
(ARCHITECTURE §4, invariant 1), while the database sees one write transaction per batch instead of one
per request.

On the embedded SQLite the batch is written on the event loop itself, on a synchronous connection that
never waits for the write lock (`Database.no_wait_engine`): a commit there only writes to the WAL (no
fsync: `synchronous=NORMAL`, and checkpoints run in their own thread), ~0.2 ms for a lone event. In a
worker thread the same work cost more than itself: each of its statements handed the GIL back and forth
with the busy event loop. While another connection holds the lock (a worker's transaction, another
process), that batch goes to a worker thread and waits there as long as the busy timeout allows.

If a batch fails otherwise, its events are stored again one by one, so an event that cannot be
stored fails alone and the others of its batch are still accepted.

A unique-key race with another process (two transactions inserting the same (source, key)) fails that
batch with IntegrityError (or a deadlock on MariaDB); the batch is rolled back and stored again, and the
second pass finds the winner's row, so the duplicate gets the first event's id.
"""

from __future__ import annotations

import asyncio
import threading
import weakref
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

from prometheus_client import Histogram
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError
from sqlalchemy.ext.asyncio import AsyncSession

from carinho.integracoes.events.service import IngestResult, NewEvent, event_service
from carinho.kit.db import Database, is_sqlite_busy
from carinho.logging import get_logger
from carinho.runtime import Runtime
from carinho.worker.jobs import Publish, publish_all

log = get_logger(__name__)

StoreFn = Callable[[AsyncSession, Sequence[NewEvent]], Awaitable[list[IngestResult]]]

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


@dataclass
class _Waiter:
    item: NewEvent
    future: asyncio.Future[IngestResult]


class GroupCommitter:
    """One per database and event loop (see `committer_for`). `store` replaces the default storing
    (tests inject failures through it); it always runs in an async session."""

    def __init__(
        self, db: Database, max_batch: int, store: StoreFn | None = None, max_wait: float = 0.0
    ) -> None:
        self.db = db
        self.max_batch = max_batch
        self.max_wait = max_wait  # seconds; 0: a batch takes what is queued when its turn comes
        self.store = store
        self.loop = asyncio.get_running_loop()
        self._queue: list[_Waiter] = []
        self._draining: asyncio.Task[None] | None = None
        self._connection: Connection | None = None  # SQLite: see `_store_on_loop`
        self.batches = 0  # flushed transactions (observability and tests)

    async def submit(self, item: NewEvent) -> IngestResult:
        future = self.loop.create_future()
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
        """Let the event loop turn while each turn brings more events, until the batch is full or has
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

    async def _flush(self, batch: list[_Waiter]) -> None:
        try:
            results = await self._store_with_retries([w.item for w in batch])
        except Exception as exc:
            if len(batch) == 1:
                self._fail(batch, exc)
                return
            # One event that cannot be stored must not fail the others: each is stored alone.
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
    def _fail(batch: list[_Waiter], exc: BaseException) -> None:
        for waiter in batch:
            if not waiter.future.done():
                waiter.future.set_exception(exc)

    async def _store_with_retries(self, items: list[NewEvent]) -> list[IngestResult]:
        for attempt in range(1, RACE_RETRIES + 1):
            try:
                if self.store is None and self.db.backend == "sqlite":
                    try:
                        results, pending = self._store_on_loop(items)
                    except OperationalError as exc:
                        if not is_sqlite_busy(exc):
                            raise
                        results, pending = await asyncio.to_thread(
                            self._store_sync, self.db.thread_engine(), items
                        )
                    publish_all(pending)
                    return results
                async with self.db.session() as session:
                    store = self.store or event_service.store_batch
                    results = await store(session, items)
                    await session.commit()
                    return results
            except DBAPIError as exc:
                if not _is_race(exc) or attempt == RACE_RETRIES:
                    raise
                log.info("events.ingest_race_retry", attempt=attempt, batch=len(items))
        raise AssertionError("unreachable")

    def _store_on_loop(self, items: list[NewEvent]) -> tuple[list[IngestResult], list[Publish]]:
        """On the committer's own no-wait connection, kept between batches: checking one out of the
        pool and back for every batch cost a fifth of a lone event's transaction."""
        if self._connection is None:
            self._connection = self.db.no_wait_engine().connect()
        try:
            with self._connection.begin():
                return event_service.store_batch_sync(self._connection, items, event_service.cipher())
        except BaseException:
            self._connection.close()  # whatever state it was left in, the next batch starts afresh
            self._connection = None
            raise

    @staticmethod
    def _store_sync(engine: Engine, items: list[NewEvent]) -> tuple[list[IngestResult], list[Publish]]:
        with engine.begin() as connection:
            return event_service.store_batch_sync(connection, items, event_service.cipher())


# Per thread: at most one event loop runs on a thread at a time, so a committer made on this thread
# whose loop is running is the running loop's. Found without `asyncio.get_running_loop()`, which costs
# a getpid() system call on Python 3.11 (a few µs per request on a busy VM).
_per_thread = threading.local()


def committer_for(db: Database, max_batch: int, max_wait: float) -> GroupCommitter:
    committers: weakref.WeakKeyDictionary[Database, GroupCommitter] | None
    committers = getattr(_per_thread, "committers", None)
    if committers is None:
        committers = _per_thread.committers = weakref.WeakKeyDictionary()
    committer = committers.get(db)
    if (
        committer is None
        or not committer.loop.is_running()
        or (committer.max_batch, committer.max_wait) != (max_batch, max_wait)
    ):
        committer = committers[db] = GroupCommitter(db, max_batch, max_wait=max_wait)
    return committer


async def ingest(rt: Runtime, item: NewEvent) -> IngestResult:
    """Store one inbound event durably (committed on return), sharing the transaction with whatever
    other requests are being stored at the same moment."""
    settings = rt.settings
    committer = committer_for(
        rt.db("integracoes"), settings.ingest_batch_max, settings.ingest_batch_wait_ms / 1000
    )
    return await committer.submit(item)
