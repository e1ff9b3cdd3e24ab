"""Nothing is lost when a process dies: `kill -9` of a worker (Redis profile), and a restart of the
embedded profile with running, pending and delayed jobs."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import httpx
import pytest

import tests.support.test_jobs  # noqa: F401  (registers the jobs in this process too)
from carinho import runtime
from carinho.config import Settings
from carinho.health import detailed_health
from carinho.integracoes.database import Heartbeat, OutboxMessage
from carinho.kit import clock, migrations
from carinho.runtime import Runtime
from carinho.worker import enqueue
from carinho.worker.relay import relay_once
from tests.support.processes import carinho_env, free_port, kill9, running, stop, wait_until

pytestmark = pytest.mark.slow

FAST_LEASES = {
    "outbox_dispatch_lease_seconds": 2,
    "outbox_lease_seconds": 1.5,
    "outbox_relay_interval_seconds": 0.5,
    "carinho_job_modules": "tests.support.test_jobs",
}


def _settings(tmp_path: Path, **extra: object) -> Settings:
    return Settings(
        _env_file=None,  # type: ignore[call-arg]
        carinho_data_dir=tmp_path,
        session_secret="crash-test",
        zapi_webhook_secret="crash-test",
        **{**FAST_LEASES, **extra},
    )


def _env(settings: Settings, **extra: object) -> dict[str, str]:
    return carinho_env(
        carinho_data_dir=settings.carinho_data_dir,
        redis_url=settings.redis_url,
        redis_namespace=settings.redis_namespace,
        session_secret="crash-test",
        zapi_webhook_secret="crash-test",
        **{**FAST_LEASES, **extra},
    )


async def _row(rt: Runtime, outbox_id: int) -> OutboxMessage:
    async with rt.db("integracoes").session() as session:
        row = await session.get(OutboxMessage, outbox_id)
        assert row is not None
        return row


async def _runs(rt: Runtime, key: str) -> int:
    async with rt.db("integracoes").session() as session:
        row = await session.get(Heartbeat, f"job:{key}")
        return 0 if row is None else int(row.details["runs"])


async def _enqueue(rt: Runtime, job: str, args: dict[str, object], delay: timedelta | None = None) -> int:
    async with rt.db("integracoes").session() as session:
        outbox_id = await enqueue(session, job, args, delay=delay)
        await session.commit()
    return outbox_id


async def test_kill_9_of_a_worker_mid_job_loses_nothing(
    tmp_path: Path, redis_url: str, redis_namespace: str
) -> None:
    settings = _settings(tmp_path, redis_url=redis_url, redis_namespace=redis_namespace)
    migrations.upgrade("integracoes", settings.database_url("integracoes"))
    rt = runtime.configure(settings)
    started, release = tmp_path / "started", tmp_path / "release"
    log = tmp_path / "worker.log"
    worker_args = ["worker", "--lanes", "integrations", "--threads", "2"]

    with running(worker_args, _env(settings), log) as first_worker:
        outbox_id = await _enqueue(
            rt, "tests.wait_for_file", {"key": "k9", "started": str(started), "release": str(release)}
        )
        await wait_until(_async(started.exists), what="the job to start", log=log)
        kill9(first_worker)
    assert (await _row(rt, outbox_id)).status == "running"  # the dead worker still holds it
    release.touch()

    with running(worker_args, _env(settings), log) as second_worker:

        async def done() -> bool:
            return (await _row(rt, outbox_id)).status == "done"

        # The relay (normally `carinho scheduler`) re-publishes the row once the dead lease expires.
        await wait_until(
            done,
            timeout=90,
            what="the job to complete",
            between=lambda: relay_once(rt, "integracoes"),
            log=log,
        )
        assert stop(second_worker) == 0
    row = await _row(rt, outbox_id)
    assert row.attempts == 2  # the killed run, then the one that completed
    assert await _runs(rt, "k9") == 1  # the killed run committed nothing
    for db in rt.databases.values():
        await db.dispose()


async def test_a_dead_workers_row_is_reclaimed_once_its_short_lease_expires(
    tmp_path: Path, redis_url: str, redis_namespace: str
) -> None:
    """The default 30 s lease, renewed while the job runs, not its 10-minute time limit; past the
    first renewal, the test clock stands in for the wait."""
    lease = {"outbox_lease_seconds": 30}
    settings = _settings(tmp_path, redis_url=redis_url, redis_namespace=redis_namespace, **lease)
    migrations.upgrade("integracoes", settings.database_url("integracoes"))
    rt = runtime.configure(settings)
    started, release = tmp_path / "started", tmp_path / "release"
    log = tmp_path / "worker.log"
    worker_args = ["worker", "--lanes", "integrations", "--threads", "2"]
    try:
        with running(worker_args, _env(settings, **lease), log) as first_worker:
            outbox_id = await _enqueue(
                rt, "tests.wait_for_file", {"key": "lease", "started": str(started), "release": str(release)}
            )
            await wait_until(_async(started.exists), what="the job to start", log=log)
            claimed = await _row(rt, outbox_id)
            assert claimed.started_at is not None and claimed.visible_at is not None
            assert claimed.visible_at - claimed.started_at <= timedelta(seconds=30)

            async def renewed() -> bool:
                return (await _row(rt, outbox_id)).visible_at > claimed.visible_at

            await wait_until(renewed, timeout=30, what="the worker to renew its lease", log=log)
            kill9(first_worker)
        assert (await _row(rt, outbox_id)).status == "running"
        assert await relay_once(rt, "integracoes") == 0  # the dead worker's lease still runs
        assert (await detailed_health(rt, "integracoes"))["checks"]["outbox"]["expired_leases"] == 0

        clock.advance(timedelta(seconds=31))
        assert (await detailed_health(rt, "integracoes"))["checks"]["outbox"]["expired_leases"] == 1
        release.touch()
        with running(worker_args, _env(settings, **lease), log) as second_worker:
            assert await relay_once(rt, "integracoes") == 1

            async def done() -> bool:
                return (await _row(rt, outbox_id)).status == "done"

            await wait_until(done, timeout=60, what="another worker to run the job", log=log)
            assert stop(second_worker) == 0
        assert (await _row(rt, outbox_id)).attempts == 2
        assert await _runs(rt, "lease") == 1
    finally:
        clock.reset()
        for db in rt.databases.values():
            await db.dispose()


async def test_embedded_restart_runs_interrupted_pending_and_delayed_jobs(tmp_path: Path) -> None:
    port = free_port()
    settings = _settings(tmp_path)
    env = _env(
        settings,
        integracoes_port=port,
        atendimento_port=free_port(),
        sandbox_port=free_port(),
        sandbox_smtp_port=free_port(),
    )
    log = tmp_path / "platform.log"
    started, release = tmp_path / "started", tmp_path / "release"

    async def healthy() -> bool:
        try:
            async with httpx.AsyncClient() as client:
                return (await client.get(f"http://127.0.0.1:{port}/health")).status_code == 200
        except httpx.HTTPError:
            return False

    with running(["up"], env, log) as first:
        await wait_until(healthy, timeout=180, what="carinho up", log=log)
        rt = runtime.configure(settings)
        interrupted = await _enqueue(
            rt, "tests.wait_for_file", {"key": "held", "started": str(started), "release": str(release)}
        )
        await wait_until(_async(started.exists), what="the held job to start", log=log)
        delayed = await _enqueue(rt, "tests.touch", {"key": "delayed"}, delay=timedelta(seconds=8))
        queued = await _enqueue(rt, "tests.touch", {"key": "queued"})
        kill9(first)
    assert (await _row(rt, delayed)).status == "pending"
    release.touch()

    with running(["up"], env, log) as second:
        await wait_until(healthy, timeout=180, what="carinho up again", log=log)

        async def all_done() -> bool:
            rows = [await _row(rt, i) for i in (interrupted, delayed, queued)]
            return all(r.status == "done" for r in rows)

        await wait_until(all_done, timeout=60, what="every job to complete", log=log)
        assert stop(second) == 0  # SIGTERM stops cleanly
    assert await _runs(rt, "held") == 1 and await _runs(rt, "queued") == 1 and await _runs(rt, "delayed") == 1
    delayed_row = await _row(rt, delayed)
    assert delayed_row.started_at is not None and delayed_row.started_at >= delayed_row.available_at
    for db in rt.databases.values():
        await db.dispose()


def _async(check):  # type: ignore[no-untyped-def]
    async def run() -> bool:
        return bool(check())

    return run
