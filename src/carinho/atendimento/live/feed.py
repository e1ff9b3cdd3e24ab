"""One poller of `live_changes` per app process, shared by every open stream.

The first subscriber starts it at the table's current end (no history is replayed to a new
browser); every `interval` seconds it reads the rows after its position — with each conversation's
assignee and level, which the streams need to filter — and hands the same batch to every
subscriber: a hundred open inboxes cost the database one small indexed query per tick. It stops
when the last subscriber leaves.

Subscribers have bounded buffers: one that falls `capacity` batches behind loses them and gets a
`Resync` instead (its browser reloads what it shows), so a stuck client never holds memory.

Ids are handed out when a transaction inserts, not when it commits: on MariaDB and PostgreSQL a
slow transaction can commit id 10 after a quick one committed id 11 and the poller moved past it.
So an id skipped over is a *gap*, asked for again on each poll for `gap_grace` seconds (after which
it is taken for a rollback, which leaves gaps for good). SQLite writes one transaction at a time
and reuses nothing (AUTOINCREMENT): no gaps there.

A reconnecting browser sends the last id it saw (`Last-Event-ID`): if that row is still in the
table, the rows after it are replayed to that subscriber alone; if it was pruned (or never
existed), the subscriber starts with a `Resync`.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import structlog
from fastapi import FastAPI
from sqlalchemy import Select, bindparam, func, select

from carinho.atendimento.inbox.models import Conversation
from carinho.atendimento.live import recorder
from carinho.atendimento.live.models import LiveChange
from carinho.kit.db import Database

log = structlog.get_logger(__name__)

POLL_SECONDS = 0.25
BATCH_LIMIT = 1000
# Batches a subscriber may have waiting before it is told to resync instead.
CAPACITY = 64
# How long an id skipped over is waited for (a transaction that inserted it and has not committed).
GAP_GRACE_SECONDS = 60.0
# Gaps watched at most (the oldest are given up first).
MAX_GAPS = 1000


@dataclass(frozen=True, slots=True)
class Change:
    id: int
    conversation_id: int
    kind: str
    # The conversation as it is when polled: who may see it (None, None: it no longer exists).
    assignee_id: int | None
    level: str | None


@dataclass(frozen=True, slots=True)
class Batch:
    changes: tuple[Change, ...]
    position: int  # the feed's position once these were read (the stream's event id)


@dataclass(frozen=True, slots=True)
class Resync:
    position: int
    reason: str  # "behind" (the subscriber fell behind) or "expired" (Last-Event-ID no longer retained)


Item = Batch | Resync


class Subscription:
    """What one stream receives: batches in order, or a Resync when it fell behind."""

    def __init__(self, position: int, capacity: int, sleep: Callable[[float], Awaitable[None]]) -> None:
        # The position the stream announces first (its browser's Last-Event-ID until an event comes).
        self.position = position
        # Rows up to this id were seen already (a browser resuming from a process further ahead).
        self.seen_through = 0
        self._capacity = capacity
        self._sleep = sleep
        self._items: deque[Item] = deque()
        self._ready = asyncio.Event()

    def push(self, item: Item) -> None:
        if isinstance(item, Batch) and self.seen_through:
            changes = tuple(c for c in item.changes if c.id > self.seen_through)
            if not changes:
                return
            item = Batch(changes, item.position)
        if len(self._items) >= self._capacity:
            self._items.clear()
            item = Resync(item.position, "behind")
        self._items.append(item)
        self._ready.set()

    async def wait(self, seconds: float) -> list[Item]:
        """Everything waiting, or, if nothing is, what arrives within `seconds` (maybe nothing)."""
        if not self._items:
            self._ready.clear()
            ready = asyncio.ensure_future(self._ready.wait())
            timer = asyncio.ensure_future(self._sleep(max(seconds, 0.0)))
            try:
                await asyncio.wait({ready, timer}, return_when=asyncio.FIRST_COMPLETED)
            finally:
                ready.cancel()
                timer.cancel()
        items = list(self._items)
        self._items.clear()
        return items


# id, conversation_id, kind, the conversation's assignee_id and level.
Rows = Select[int, int, str, int | None, str]


def _rows_query() -> Rows:
    return (
        select(
            LiveChange.id,
            LiveChange.conversation_id,
            LiveChange.kind,
            Conversation.assignee_id,
            Conversation.level,
        )
        .outerjoin(Conversation, Conversation.id == LiveChange.conversation_id)
        .order_by(LiveChange.id)
        .limit(bindparam("limit"))
    )


_AFTER = _rows_query().where(LiveChange.id > bindparam("position"))
_AFTER_OR_GAPS = _rows_query().where(
    (LiveChange.id > bindparam("position")) | LiveChange.id.in_(bindparam("gaps", expanding=True))
)
_FROM = _rows_query().where(LiveChange.id >= bindparam("position"))
_END = select(func.max(LiveChange.id))


def _change(row: Sequence[Any]) -> Change:
    return Change(
        int(row[0]),
        int(row[1]),
        str(row[2]),
        None if row[3] is None else int(row[3]),
        None if row[4] is None else str(row[4]),
    )


class ChangeFeed:
    def __init__(
        self,
        database: Database,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        tick: Callable[[], Awaitable[None]] | None = None,
        interval: float = POLL_SECONDS,
        capacity: int = CAPACITY,
        batch_limit: int = BATCH_LIMIT,
        gap_grace: float = GAP_GRACE_SECONDS,
    ) -> None:
        self.database = database
        # The streams' time (heartbeats, lifetime) and their waiting; tests move a clock by hand.
        self.clock = clock
        self.sleep = sleep
        # What the poller awaits between two polls; tests pass one they release by hand. By
        # default the interval, cut short by a commit of this process that wrote changes.
        self.tick = tick or self._interval_or_commit
        self.interval = interval
        self._committed = asyncio.Event()
        self._stop_listening: Callable[[], None] | None = None
        self.capacity = capacity
        self.batch_limit = batch_limit
        self.gap_grace = gap_grace
        self.polls = 0  # queries of the poller (not of subscribing): what the subscribers share
        self.position = 0
        self._gaps: dict[int, float] = {}  # id skipped over -> clock() when given up
        self._subscribers: set[Subscription] = set()
        self._task: asyncio.Task[None] | None = None
        self._lock = asyncio.Lock()
        self._failing = False

    @property
    def running(self) -> bool:
        return self._task is not None

    @property
    def subscribers(self) -> int:
        return len(self._subscribers)

    @property
    def gaps(self) -> list[int]:
        """Ids skipped over and still awaited."""
        return sorted(self._gaps)

    @asynccontextmanager
    async def subscribe(self, last_event_id: int | None = None) -> AsyncIterator[Subscription]:
        """A subscription for one stream, from now on (or, with `last_event_id`, from after that id)."""
        async with self._lock:
            if self._task is None:
                await self._start()
            subscription = Subscription(self.position, self.capacity, self.sleep)
            self._subscribers.add(subscription)
            try:
                if last_event_id is not None:
                    await self._resume(subscription, last_event_id)
            except BaseException:
                self._leave(subscription)
                raise
        try:
            yield subscription
        finally:
            self._leave(subscription)

    def _leave(self, subscription: Subscription) -> None:
        # Synchronous: the stream is being cancelled (its client went away), nothing may await here.
        self._subscribers.discard(subscription)
        if not self._subscribers and self._task is not None:
            self._task.cancel()
            self._task = None
            self._listen(False)

    async def _start(self) -> None:
        async with self.database.session() as session:
            self.position = int((await session.execute(_END)).scalar() or 0)
        self._gaps.clear()
        self._listen(True)
        self._task = asyncio.create_task(self._run(), name="live-changes-feed")

    def _listen(self, on: bool) -> None:
        if self._stop_listening is not None:
            self._stop_listening()
            self._stop_listening = None
        if on:
            loop, committed = asyncio.get_running_loop(), self._committed

            def nudge() -> None:  # any thread: commits also happen in worker threads
                with contextlib.suppress(RuntimeError):  # the loop is closed
                    loop.call_soon_threadsafe(committed.set)

            self._stop_listening = recorder.on_commit(nudge)

    async def _interval_or_commit(self) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._committed.wait(), self.interval)
        self._committed.clear()

    async def _resume(self, subscription: Subscription, last_event_id: int) -> None:
        """Replay to this subscriber alone the rows after `last_event_id` that the feed is past
        already; a Resync when that row is gone (pruned: the prune keeps the newest row, so a
        browser that saw the last change resumes after a quiet hour too) or too much was missed."""
        rows = await self._read(_FROM, position=last_event_id, limit=self.batch_limit + 1)
        if not rows or rows[0].id != last_event_id:
            subscription.push(Resync(self.position, "expired"))
            return
        missed = tuple(c for c in rows[1:] if c.id <= self.position)
        if len(rows) > self.batch_limit and rows[-1].id <= self.position:
            subscription.push(Resync(self.position, "expired"))
            return
        subscription.position = last_event_id
        # A browser served by another process may be a poll ahead of this feed: what it saw
        # already is not sent again.
        subscription.seen_through = last_event_id if last_event_id > self.position else 0
        if missed:
            subscription.push(Batch(missed, self.position))

    async def _read(self, query: Rows, **params: Any) -> list[Change]:
        async with self.database.session() as session:
            result = await session.execute(query, params)
            return [_change(row) for row in result.all()]

    async def _run(self) -> None:
        while True:
            await self.tick()
            # Shielded: cancelling the poller (its last subscriber left) never cuts a query short.
            await asyncio.shield(self._poll_all())

    async def _poll_all(self) -> None:
        async with self._lock:
            try:
                while await self.poll_once() >= self.batch_limit:
                    pass  # more rows are waiting: read on without waiting for the next tick
            except Exception:
                if not self._failing:
                    log.exception("atendimento.live_feed_poll_failed")
                self._failing = True
            else:
                if self._failing:
                    log.info("atendimento.live_feed_recovered")
                self._failing = False

    async def poll_once(self) -> int:
        """Read the rows after the position (and the gaps still awaited), hand them to every
        subscriber; returns how many rows the query returned."""
        now = self.clock()
        self._gaps = {i: until for i, until in self._gaps.items() if until > now}
        if self._gaps:
            rows = await self._read(
                _AFTER_OR_GAPS, position=self.position, gaps=sorted(self._gaps), limit=self.batch_limit
            )
        else:
            rows = await self._read(_AFTER, position=self.position, limit=self.batch_limit)
        self.polls += 1
        if not rows:
            return 0
        expected = self.position + 1
        for change in rows:
            if change.id in self._gaps:
                del self._gaps[change.id]
            elif change.id > self.position:
                # (At most the last MAX_GAPS of a jump: a sequence may leap far ahead.)
                for missing in range(max(expected, change.id - MAX_GAPS), change.id):
                    self._gaps[missing] = now + self.gap_grace
                expected = change.id + 1
                self.position = change.id
        if len(self._gaps) > MAX_GAPS:
            for missing in sorted(self._gaps)[: len(self._gaps) - MAX_GAPS]:
                del self._gaps[missing]
        batch = Batch(tuple(rows), self.position)
        for subscription in self._subscribers:
            subscription.push(batch)
        return len(rows)


def feed_for(app: FastAPI) -> ChangeFeed:
    feed: ChangeFeed | None = getattr(app.state, "live_feed", None)
    if feed is None:
        feed = ChangeFeed(app.state.runtime.db("atendimento"))
        app.state.live_feed = feed
    return feed


async def stop(feed: ChangeFeed) -> None:
    """Stop the poller now (app shutdown, tests), whoever is still subscribed."""
    task, feed._task = feed._task, None
    feed._listen(False)
    if task is not None:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
