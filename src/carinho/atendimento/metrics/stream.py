"""Server-sent events of the live metrics.

One `LiveFeed` per app (so per process) computes the snapshot at most once per interval and every
subscriber of /api/metrics/stream reads that same snapshot: a hundred open dashboards cost the
database what one does. Each event carries the snapshot's sequence number as `id:` (a snapshot is
the whole state, so a reconnecting client needs no replay: `Last-Event-ID` is ignored).
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass

import structlog
from fastapi import FastAPI

from carinho.atendimento.agents.models import Agent
from carinho.atendimento.metrics.schemas import LiveMetrics
from carinho.atendimento.metrics.service import metrics_service
from carinho.kit.db import Database
from carinho.kit.live_signal import HEARTBEAT_SECONDS, MAX_STREAM_SECONDS

log = structlog.get_logger(__name__)


@dataclass(frozen=True)
class Snapshot:
    sequence: int
    computed_at: float  # LiveFeed.clock()
    figures: LiveMetrics


class LiveFeed:
    def __init__(
        self,
        database: Database,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.database = database
        # The time of the feed and its streams (monotonic seconds, and waiting for some): tests
        # pass a clock they move by hand, so what a stream sends never depends on the machine's speed.
        self.clock = clock
        self.sleep = sleep
        self.computations = 0
        self._latest: Snapshot | None = None
        self._lock = asyncio.Lock()

    async def latest(self, max_age: float, newer_than: int = 0) -> Snapshot:
        """The shared snapshot, recomputed only when older than `max_age` seconds or not newer than
        the one the caller already has (sequence `newer_than`)."""
        async with self._lock:
            current = self._latest
            fresh = current is not None and self.clock() - current.computed_at < max_age
            if current is not None and fresh and current.sequence > newer_than:
                return current
            async with self.database.session() as session:
                figures = await metrics_service.snapshot(session)
            self.computations += 1
            self._latest = Snapshot(self.computations, self.clock(), figures)
            return self._latest


def feed_for(app: FastAPI) -> LiveFeed:
    feed: LiveFeed | None = getattr(app.state, "metrics_feed", None)
    if feed is None:
        feed = LiveFeed(app.state.runtime.db("atendimento"))
        app.state.metrics_feed = feed
    return feed


def format_event(event_id: int, retry_ms: int, event: str, data: str) -> str:
    return f"id: {event_id}\nretry: {retry_ms}\nevent: {event}\ndata: {data}\n\n"


async def events(
    feed: LiveFeed,
    viewer: Agent,
    interval: float,
    *,
    heartbeat: float = HEARTBEAT_SECONDS,
    lifetime: float = MAX_STREAM_SECONDS,
) -> AsyncIterator[str]:
    """A snapshot at once and then every `interval` seconds, a comment line after `heartbeat`
    seconds of silence. Ends when the client goes away (Starlette cancels the generator) or after
    `lifetime` seconds."""
    retry_ms = int(interval * 1000)
    clock = feed.clock
    started = clock()
    next_snapshot = started
    last_write = started
    last_id = 0
    while True:
        now = clock()
        if now >= next_snapshot:
            try:
                snapshot = await feed.latest(max_age=interval, newer_than=last_id)
            except Exception:
                log.exception("metrics.snapshot_failed")
                error = json.dumps(
                    {
                        "error": "metrics_unavailable",
                        "message": "Não foi possível calcular os indicadores agora.",
                    }
                )
                yield format_event(last_id, retry_ms, "error", error)
            else:
                last_id = snapshot.sequence
                figures = metrics_service.view_for(viewer, snapshot.figures)
                yield format_event(last_id, retry_ms, "metrics", figures.model_dump_json())
            next_snapshot = max(next_snapshot + interval, clock())
            last_write = clock()
        elif now - last_write >= heartbeat:
            yield ": heartbeat\n\n"
            last_write = now
        end = started + lifetime
        if clock() >= end:
            return
        await feed.sleep(max(min(next_snapshot, last_write + heartbeat, end) - clock(), 0))
