"""Group commit of inbound events: the events of concurrent requests share one transaction.

Each request queues its event and waits. Whoever finds no flush running becomes the leader: it takes
everything queued (up to `ingest_batch_max`), stores it in one transaction with the outbox rows, commits,
and only then resolves every waiter. So a 2xx still means "committed" (ARCHITECTURE §4, invariant 1),
while SQLite sees one write transaction per batch instead of one per request.

On the embedded SQLite the whole batch runs in a worker thread on a synchronous connection: one thread
hop per batch, where aiosqlite would hop several times per statement (that, not SQLite, was the cost).
The outbox rows are published on the event loop once the thread has committed.

A unique-key race with another process (two transactions inserting the same (source, key)) fails that
batch with IntegrityError (or a deadlock on MariaDB); the batch is rolled back and stored again, and the
second pass finds the winner's row, so the duplicate gets the first event's id.
"""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from carinho.integracoes.events.service import IngestResult, NewEvent, event_service
from carinho.kit.db import Database
from carinho.logging import get_logger
from carinho.runtime import Runtime
from carinho.worker.jobs import Publish, publish_all

log = get_logger(__name__)

StoreFn = Callable[[AsyncSession, Sequence[NewEvent]], Awaitable[list[IngestResult]]]

RACE_RETRIES = 5
_MYSQL_DEADLOCK_CODES = {1205, 1213}  # lock wait timeout, deadlock: InnoDB rolled us back


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

    def __init__(self, db: Database, max_batch: int, store: StoreFn | None = None) -> None:
        self.db = db
        self.max_batch = max_batch
        self.store = store
        self._queue: list[_Waiter] = []
        self._lock = asyncio.Lock()
        self.batches = 0  # flushed transactions (observability and tests)

    async def submit(self, item: NewEvent) -> IngestResult:
        waiter = _Waiter(item, asyncio.get_running_loop().create_future())
        self._queue.append(waiter)
        while not waiter.future.done():
            async with self._lock:
                if waiter.future.done():
                    break
                batch = self._queue[: self.max_batch]
                del self._queue[: self.max_batch]
                # Shielded: a cancelled leader must not leave the followers of its batch unresolved.
                await asyncio.shield(asyncio.ensure_future(self._flush(batch)))
        return waiter.future.result()

    async def _flush(self, batch: list[_Waiter]) -> None:
        try:
            results = await self._store_with_retries([w.item for w in batch])
        except BaseException as exc:  # every waiter learns that nothing was committed
            for waiter in batch:
                if not waiter.future.done():
                    waiter.future.set_exception(exc)
            if not isinstance(exc, Exception):
                raise
            return
        self.batches += 1
        for waiter, result in zip(batch, results, strict=True):
            if not waiter.future.done():
                waiter.future.set_result(result)

    async def _store_with_retries(self, items: list[NewEvent]) -> list[IngestResult]:
        for attempt in range(1, RACE_RETRIES + 1):
            try:
                if self.store is None and self.db.backend == "sqlite":
                    results, pending = await asyncio.to_thread(self._store_in_thread, items)
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

    def _store_in_thread(self, items: list[NewEvent]) -> tuple[list[IngestResult], list[Publish]]:
        with self.db.thread_engine().begin() as connection:
            return event_service.store_batch_sync(connection, items, event_service.cipher())


_PerLoop = weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, GroupCommitter]
_committers: weakref.WeakKeyDictionary[Database, _PerLoop] = weakref.WeakKeyDictionary()


def committer_for(db: Database, max_batch: int) -> GroupCommitter:
    per_loop = _committers.setdefault(db, weakref.WeakKeyDictionary())
    loop = asyncio.get_running_loop()
    committer = per_loop.get(loop)
    if committer is None or committer.max_batch != max_batch:
        committer = GroupCommitter(db, max_batch)
        per_loop[loop] = committer
    return committer


async def ingest(rt: Runtime, item: NewEvent) -> IngestResult:
    """Store one inbound event durably (committed on return), sharing the transaction with whatever
    other requests are being stored at the same moment."""
    return await committer_for(rt.db("integracoes"), rt.settings.ingest_batch_max).submit(item)
