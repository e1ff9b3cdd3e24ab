"""Events received per minute and source over the last day, kept by the process for the console's
overview (its figures of the last hour and day, ingest per source, the chart of events received).

Counting the day's events on every refresh costs what the day holds: at the ingest's saturation
(thousands of events a second) each refresh read hundreds of thousands of rows — seconds of the
database's CPU beside the ingest it shows. An event's creation minute and source never change, so
this roll-up reads each event once: it keeps the counts up to an id and, on each read, counts only
the ids after it (a range of the primary key, grouped by minute and source in the database).

On SQLite ids grow in commit order (one writer at a time). On PostgreSQL and MariaDB a transaction
may commit an id below one already read, so there the ids of the last `settle_seconds` are counted
anew on each read, and only those that were already the newest that long ago are kept for good (on
the first read, those up to an event created two `settle_seconds` ago).
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter, deque
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime, timedelta

from carinho.integracoes.events.repository import EventRepository

SETTLE_SECONDS = 30.0  # PostgreSQL, MariaDB: longer than the ingest's transactions take to commit
KEEP_MINUTES = 25 * 60  # the day's window and the day chart's 24 whole hours, with room

PerMinute = Mapping[int, Mapping[str, int]]  # minute since 1970 -> source -> events


def minute_of(moment: datetime) -> int:
    return int(moment.timestamp()) // 60


def minute_start(minute: int) -> datetime:
    return datetime.fromtimestamp(minute * 60, UTC)


class ReceivedPerMinute:
    def __init__(self, *, settle_seconds: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.settle_seconds = settle_seconds
        self.clock = clock  # tests move it by hand
        self._kept: dict[int, Counter[str]] = {}  # the events with ids up to _kept_id
        self._kept_id: int | None = None
        self._seen: deque[tuple[float, int]] = deque()  # (when, the newest id then)
        self._lock = asyncio.Lock()

    async def read(self, repo: EventRepository, now: datetime) -> dict[int, Counter[str]]:
        """Per minute from KEEP_MINUTES before `now`'s minute to it, the events received per source."""
        first = minute_of(now) - KEEP_MINUTES + 1
        async with self._lock:
            if self._kept_id is None:
                self._kept_id = await repo.id_before(minute_start(first))
                # The ids up to an event created two settle windows ago were handed out before it,
                # so they have committed: as if seen as the newest a settle window ago, they are kept
                # from this read on, and the first refreshes after a start do not count the whole day.
                if self.settle_seconds:
                    long_ago = now - timedelta(seconds=2 * self.settle_seconds)
                    seen_then = self.clock() - self.settle_seconds
                    self._seen.append((seen_then, await repo.id_of_last_created_before(long_ago)))
            newest = await repo.last_id()
            self._seen.append((self.clock(), newest))
            settled = self._kept_id
            while self._seen and self.clock() - self._seen[0][0] >= self.settle_seconds:
                settled = max(settled, self._seen.popleft()[1])
            if settled > self._kept_id:
                _add(self._kept, await repo.received_per_minute(self._kept_id, settled))
                self._kept_id = settled
            for minute in [m for m in self._kept if m < first]:
                del self._kept[minute]
            # The kept minutes as they are (`_add` never changes a Counter in place): a refresh
            # copies the few minutes the ids not yet settled add to, not the day's 1,500.
            counts = dict(self._kept)
            if newest > self._kept_id:
                _add(counts, await repo.received_per_minute(self._kept_id, newest))
        return {m: c for m, c in counts.items() if m >= first}


def _add(into: dict[int, Counter[str]], rows: Iterable[tuple[int, str, int]]) -> None:
    """Add the rows' counts, copy on write: a minute's Counter that a read returned is never changed."""
    fresh: set[int] = set()
    for minute, source, n in rows:
        if minute not in fresh:
            into[minute] = Counter(into.get(minute) or ())
            fresh.add(minute)
        into[minute][source] += n


def by_source(per_minute: PerMinute, first: int, last: int) -> dict[str, int]:
    """Events per source received in the minutes first..last (both included)."""
    total: Counter[str] = Counter()
    if last - first < len(per_minute):  # the last hour of a day's minutes: look those up
        for minute in range(first, last + 1):
            counts = per_minute.get(minute)
            if counts:
                total.update(counts)
        return dict(total)
    for minute, counts in per_minute.items():
        if first <= minute <= last:
            total.update(counts)
    return dict(total)


def per_bucket(per_minute: PerMinute, seconds: int) -> dict[int, int]:
    """Events received per bucket of `seconds` (a whole number of minutes), keyed as
    `kit.sql_time.epoch_bucket` keys them: buckets since 1970."""
    buckets: Counter[int] = Counter()
    for minute, counts in per_minute.items():
        buckets[minute * 60 // seconds] += sum(counts.values())
    return dict(buckets)
