"""A scheduler serves the contexts it is given (`carinho up` runs one per system process): their relay,
their heartbeats, the periodic jobs of their jobs' context; leadership is per set of contexts. And each
system process's workers consume every lane its context's rows use."""

from __future__ import annotations

from pathlib import Path

import pytest

from carinho import runtime
from carinho.config import Settings
from carinho.kit import migrations
from carinho.runtime import CONTEXTS
from carinho.worker.jobs import context_lanes, get_job, registered_jobs
from carinho.worker.lanes import Lane
from carinho.worker.scheduler import Scheduler, periodic_jobs
from tests.support.processes import wait_until


def _settings(tmp_path: Path, **extra: object) -> Settings:
    return Settings(_env_file=None, carinho_data_dir=tmp_path, **extra)  # type: ignore[arg-type]


def _ticks(scheduler: Scheduler) -> set[str]:
    assert scheduler._aps is not None
    return {job.func.__name__ for job in scheduler._aps.get_jobs()}


@pytest.mark.parametrize("context", CONTEXTS)
async def test_a_scheduler_of_one_context_runs_only_that_contexts_ticks(tmp_path: Path, context: str) -> None:
    settings = _settings(tmp_path)
    migrations.upgrade(context, settings.database_url(context))
    rt = runtime.configure(settings)
    scheduler = Scheduler(rt, contexts=(context,))
    await scheduler.start()
    try:

        async def leads() -> bool:
            return scheduler.leading

        await wait_until(leads, timeout=10, what="the scheduler to lead (no Redis: it leads for its context)")
        mine = {name for name, spec in periodic_jobs().items() if get_job(spec.job).context == context}
        assert mine, "every context has periodic jobs"
        assert _ticks(scheduler) == {f"relay:{context}", f"heartbeat:{context}", *mine}
    finally:
        await scheduler.stop()
        for db in rt.databases.values():
            await db.dispose()


async def test_the_default_scheduler_serves_every_context(tmp_path: Path) -> None:
    rt = runtime.configure(_settings(tmp_path))
    scheduler = Scheduler(rt)
    assert scheduler.contexts == CONTEXTS
    scheduler._start_jobs()
    try:
        ticks = _ticks(scheduler)
        assert {f"relay:{c}" for c in CONTEXTS} | {f"heartbeat:{c}" for c in CONTEXTS} <= ticks
        assert set(periodic_jobs()) <= ticks
    finally:
        scheduler._stop_jobs()
        for db in rt.databases.values():
            await db.dispose()


def test_unknown_contexts_are_refused(tmp_path: Path) -> None:
    rt = runtime.configure(_settings(tmp_path))
    with pytest.raises(ValueError, match="unknown contexts"):
        Scheduler(rt, contexts=("sandbox",))


async def test_schedulers_of_different_contexts_lead_side_by_side_on_one_redis(
    tmp_path: Path, redis_url: str, redis_namespace: str
) -> None:
    settings = _settings(tmp_path, redis_url=redis_url, redis_namespace=redis_namespace)
    rt = runtime.configure(settings)
    hub, atendimento = Scheduler(rt, contexts=("integracoes",)), Scheduler(rt, contexts=("atendimento",))
    try:
        assert await hub.lock.acquire_or_renew(False)
        assert await atendimento.lock.acquire_or_renew(False)
        assert not await Scheduler(rt, contexts=("atendimento",)).lock.acquire_or_renew(False)
    finally:
        for scheduler in (hub, atendimento):
            await scheduler.lock.release()
        for db in rt.databases.values():
            await db.dispose()


def test_each_system_process_consumes_every_lane_its_contexts_jobs_use(tmp_path: Path) -> None:
    """The embedded broker is in-process: a lane no worker of the relaying process consumes would keep
    its rows pending for good (atendimento's WhatsApp sends go on `notifications`)."""
    runtime.configure(_settings(tmp_path))
    for spec in registered_jobs().values():
        assert spec.lane in context_lanes(spec.context), spec.name
    assert Lane.notifications in context_lanes("atendimento")
    assert not any(lane.value.startswith("integrations") for lane in context_lanes("atendimento"))
    assert not any(lane.value.startswith("atendimento") for lane in context_lanes("integracoes"))
