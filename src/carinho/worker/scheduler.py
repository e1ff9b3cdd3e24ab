"""APScheduler with exactly one leader: it runs the relay, heartbeats and the periodic jobs.

In production a Redis lock elects the leader among scheduler processes; in the embedded default
the process leads (`carinho up` with one process per system: each system's process leads for its own
context, the only one whose outbox it relays and whose periodic jobs it enqueues).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy.ext.asyncio import AsyncSession

from carinho.config import Settings
from carinho.kit.clock import utcnow
from carinho.logging import get_logger
from carinho.runtime import CONTEXTS, Runtime
from carinho.worker.jobs import enqueue, get_job
from carinho.worker.relay import relay_once

log = get_logger(__name__)

LEADER_KEY = "scheduler:leader"
HEARTBEAT_NAME = "scheduler"


@dataclass(frozen=True)
class PeriodicJob:
    """Enqueue `job` on each tick of `trigger` (or of the trigger it makes of the settings, for a
    schedule that is a setting); the work itself runs on the job's lane."""

    name: str
    job: str
    trigger: BaseTrigger | Callable[[Settings], BaseTrigger]
    args: dict[str, Any] | None = None

    def trigger_for(self, settings: Settings) -> BaseTrigger:
        return self.trigger if isinstance(self.trigger, BaseTrigger) else self.trigger(settings)


_periodic: dict[str, PeriodicJob] = {}


def periodic(
    name: str,
    job: str,
    trigger: BaseTrigger | Callable[[Settings], BaseTrigger],
    args: dict[str, Any] | None = None,
) -> None:
    _periodic[name] = PeriodicJob(name, job, trigger, args)


def periodic_jobs() -> dict[str, PeriodicJob]:
    return dict(_periodic)


class LeaderLock:
    """A Redis lease renewed while we lead; without Redis this process leads for its contexts."""

    _RENEW = (
        "if redis.call('get', KEYS[1]) == ARGV[1] then "
        "return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end"
    )

    def __init__(self, rt: Runtime, contexts: tuple[str, ...] = CONTEXTS) -> None:
        self.rt = rt
        self.token = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self.ttl_ms = int(rt.settings.scheduler_lock_ttl_seconds * 1000)
        self._client: Any = None
        if rt.settings.redis_url:
            import redis.asyncio as aioredis

            self._client = aioredis.from_url(rt.settings.redis_url)
        # Schedulers of different contexts lead side by side: one lock per set of contexts.
        suffix = "" if tuple(contexts) == CONTEXTS else ":" + "+".join(contexts)
        self.key = f"{rt.settings.redis_namespace}:{LEADER_KEY}{suffix}"

    async def acquire_or_renew(self, leading: bool) -> bool:
        if self._client is None:
            return True
        if leading and await self._client.eval(self._RENEW, 1, self.key, self.token, self.ttl_ms):
            return True
        return bool(await self._client.set(self.key, self.token, nx=True, px=self.ttl_ms))

    async def release(self) -> None:
        if self._client is None:
            return
        await self._client.eval(
            "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) "
            "else return 0 end",
            1,
            self.key,
            self.token,
        )
        await self._client.aclose()


class Scheduler:
    def __init__(self, rt: Runtime, contexts: tuple[str, ...] = CONTEXTS) -> None:
        """`contexts`: whose outbox this scheduler relays, which it beats for, and whose periodic jobs
        it enqueues (default: all, as the production `carinho scheduler`)."""
        unknown = set(contexts) - set(CONTEXTS)
        if unknown or not contexts:
            raise ValueError(f"unknown contexts: {', '.join(sorted(unknown)) or '(none)'}")
        self.rt = rt
        self.contexts = tuple(c for c in CONTEXTS if c in contexts)
        self.lock = LeaderLock(rt, self.contexts)
        self.leading = False
        self._aps: AsyncIOScheduler | None = None
        self._task: asyncio.Task[None] | None = None
        self._stopping = asyncio.Event()

    async def start(self) -> None:
        self._task = asyncio.create_task(self._lead_loop(), name="scheduler-leader")

    async def stop(self) -> None:
        self._stopping.set()
        if self._task is not None:
            await self._task
        self._stop_jobs()
        await self.lock.release()

    async def run_forever(self) -> None:
        await self.start()
        assert self._task is not None
        await self._task

    async def _lead_loop(self) -> None:
        renew_every = self.rt.settings.scheduler_lock_ttl_seconds / 3
        while not self._stopping.is_set():
            try:
                leading = await self.lock.acquire_or_renew(self.leading)
            except Exception as exc:
                log.warning("scheduler.lock_error", error=str(exc))
                leading = False
            if leading and not self.leading:
                log.info("scheduler.leading", token=self.lock.token)
                self._start_jobs()
            elif self.leading and not leading:
                log.warning("scheduler.lost_leadership", token=self.lock.token)
                self._stop_jobs()
            self.leading = leading
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), timeout=renew_every)

    def _start_jobs(self) -> None:
        settings = self.rt.settings
        aps = AsyncIOScheduler(timezone="UTC", job_defaults={"coalesce": True, "max_instances": 1})
        relay_every = IntervalTrigger(seconds=settings.outbox_relay_interval_seconds)
        for context in self.contexts:
            aps.add_job(self._guard(f"relay:{context}", relay_once, self.rt, context), relay_every)
            aps.add_job(
                self._guard(f"heartbeat:{context}", self.beat, context),
                IntervalTrigger(seconds=settings.scheduler_heartbeat_seconds),
                next_run_time=utcnow(),
            )
        for spec in _periodic.values():
            if get_job(spec.job).context not in self.contexts:
                continue  # the scheduler of the process that runs that context's jobs enqueues it
            aps.add_job(self._guard(spec.name, self.enqueue_periodic, spec), spec.trigger_for(settings))
        aps.start()
        self._aps = aps

    def _stop_jobs(self) -> None:
        if self._aps is not None:
            self._aps.shutdown(wait=False)
            self._aps = None

    @staticmethod
    def _guard(name: str, fn: Callable[..., Awaitable[Any]], *args: Any) -> Callable[[], Any]:
        async def run() -> None:
            try:
                await fn(*args)
            except Exception as exc:
                log.warning("scheduler.tick_failed", tick=name, error=f"{type(exc).__name__}: {exc}")
            except asyncio.CancelledError:
                # Stopping cancels a tick in flight: its transaction rolls back and the next start
                # runs it again. Said quietly, not as APScheduler's error with a traceback.
                log.info("scheduler.tick_cancelled", tick=name)

        run.__name__ = name
        return run

    async def beat(self, context: str) -> None:
        model = self.rt.spec(context).heartbeat
        async with self.rt.db(context).session() as session:
            await upsert_heartbeat(session, model, HEARTBEAT_NAME, {"token": self.lock.token})
            await session.commit()

    async def enqueue_periodic(self, spec: PeriodicJob) -> None:
        context = get_job(spec.job).context
        slot = utcnow().replace(microsecond=0).isoformat()
        async with self.rt.db(context).session() as session:
            await enqueue(session, spec.job, spec.args, dedupe_key=f"periodic:{spec.name}:{slot}")
            await session.commit()


async def upsert_heartbeat(session: AsyncSession, model: Any, name: str, details: dict[str, Any]) -> None:
    row = await session.get(model, name)
    if row is None:
        session.add(model(name=name, beat_at=utcnow(), details=details))
    else:
        row.beat_at = utcnow()
        row.details = details


def heartbeat_age(beat_at: Any) -> timedelta:
    return utcnow() - beat_at
