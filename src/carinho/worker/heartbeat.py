"""Worker processes say they are alive: every few seconds each `WorkerPool` (the in-process workers
of `carinho up`, or a `carinho worker` process) writes a row `worker:<host>:<pid>:<id>` in the
heartbeats table of each context whose jobs it runs, with the lanes it consumes for that context
and their threads (`notifications` carries jobs of both contexts, so a worker serving only
atendimento's is not counted among the hub's). The console counts the rows seen in the last
`ALIVE_SECONDS` as the workers alive.

The beats run on a thread of their own with its own event loop (and so its own database engines):
the worker threads and their shared loop stay free for jobs."""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
import threading
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, select

from carinho.kit.clock import utcnow
from carinho.logging import get_logger
from carinho.runtime import CONTEXTS, Runtime
from carinho.worker.jobs import context_lanes
from carinho.worker.scheduler import upsert_heartbeat

log = get_logger(__name__)

PREFIX = "worker:"
# A worker not seen for longer than this counts as dead.
ALIVE_SECONDS = 30.0
# Rows of workers gone this long are removed by the next beat of any worker.
FORGET_AFTER = timedelta(hours=1)


@dataclass(frozen=True)
class WorkerSeen:
    name: str
    host: str
    pid: int
    lanes: dict[str, int]  # lane -> threads
    beat_at: datetime
    alive: bool


def worker_name() -> str:
    return f"{PREFIX}{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


def lanes_by_context(lanes: Mapping[str, int], contexts: Iterable[str]) -> dict[str, dict[str, int]]:
    """Of a worker's lanes (lane -> threads), those it consumes for each context whose jobs it runs."""
    by_context = {}
    for context in contexts:
        served = {lane.value for lane in context_lanes(context)}
        mine = {lane: threads for lane, threads in lanes.items() if lane in served}
        if mine:
            by_context[context] = mine
    return by_context


async def beat(rt: Runtime, name: str, lanes: Mapping[str, int], contexts: Iterable[str] = CONTEXTS) -> None:
    """One beat: this worker's row in each context it works for, and old rows of dead workers gone."""
    host, pid = name.removeprefix(PREFIX).split(":")[:2]
    for context, served in lanes_by_context(lanes, contexts).items():
        model = rt.spec(context).heartbeat
        async with rt.db(context).session() as session:
            await upsert_heartbeat(session, model, name, {"host": host, "pid": int(pid), "lanes": served})
            await session.execute(
                delete(model).where(model.name.startswith(PREFIX), model.beat_at < utcnow() - FORGET_AFTER)
            )
            await session.commit()


async def forget(rt: Runtime, name: str, contexts: set[str]) -> None:
    """A worker stopping cleanly removes its rows (it is not alive any more)."""
    for context in contexts:
        model = rt.spec(context).heartbeat
        async with rt.db(context).session() as session:
            await session.execute(delete(model).where(model.name == name))
            await session.commit()


async def workers_seen(session: Any, model: Any, now: datetime | None = None) -> list[WorkerSeen]:
    """The workers that beat in this context's database (the last hour's), newest first."""
    now = now or utcnow()
    rows = (
        await session.execute(
            select(model).where(model.name.startswith(PREFIX)).order_by(model.beat_at.desc())
        )
    ).scalars()
    seen = []
    for row in rows:
        details = row.details or {}
        seen.append(
            WorkerSeen(
                name=row.name,
                host=str(details.get("host", "")),
                pid=int(details.get("pid", 0)),
                lanes={str(k): int(v) for k, v in (details.get("lanes") or {}).items()},
                beat_at=row.beat_at,
                alive=(now - row.beat_at).total_seconds() <= ALIVE_SECONDS,
            )
        )
    return seen


def alive_by_lane(workers: list[WorkerSeen]) -> dict[str, dict[str, int]]:
    """Per lane: workers alive and their threads (the lane's concurrency)."""
    lanes: dict[str, dict[str, int]] = {}
    for worker in workers:
        if not worker.alive:
            continue
        for lane, threads in worker.lanes.items():
            entry = lanes.setdefault(lane, {"workers": 0, "threads": 0})
            entry["workers"] += 1
            entry["threads"] += threads
    return lanes


class HeartbeatThread:
    """Beats every `interval` seconds from start to stop; `first_beat` is set after the first one
    (tests wait for it instead of sleeping)."""

    def __init__(
        self, rt: Runtime, lanes: Mapping[str, int], interval: float, contexts: Iterable[str] = CONTEXTS
    ) -> None:
        self.rt = rt
        self.lanes = dict(lanes)
        self.contexts = tuple(contexts)
        self.interval = interval
        self.name = worker_name()
        self.first_beat = threading.Event()
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._ready = threading.Event()

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="worker-heartbeat", daemon=True)
        self._thread.start()
        self._ready.wait(timeout=5)

    def stop(self) -> None:
        if self._thread is None:
            return
        if self._loop is not None and self._stop is not None:
            with contextlib.suppress(RuntimeError):  # the loop ended already
                self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(timeout=10)
        self._thread = None

    def _run(self) -> None:
        asyncio.run(self._main())

    async def _main(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._stop = asyncio.Event()
        self._ready.set()
        contexts = set(lanes_by_context(self.lanes, self.contexts))
        try:
            while not self._stop.is_set():
                try:
                    await beat(self.rt, self.name, self.lanes, self.contexts)
                except Exception as exc:
                    log.warning("worker.heartbeat_failed", error=f"{type(exc).__name__}: {exc}")
                self.first_beat.set()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._stop.wait(), timeout=self.interval)
            with contextlib.suppress(Exception):
                await forget(self.rt, self.name, contexts)
        finally:
            # This loop's engines die with it: close their connections first.
            for context in contexts:
                with contextlib.suppress(Exception):
                    await self.rt.db(context).engine.dispose()
