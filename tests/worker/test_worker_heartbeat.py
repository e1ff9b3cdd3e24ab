"""Worker processes beat: a running `WorkerPool` keeps a `worker:<host>:<pid>:<id>` row in the
heartbeats table with its lanes and their threads, and removes it when it stops; the console counts
the workers seen in the last 30 s per lane."""

from __future__ import annotations

import asyncio
import os
from datetime import timedelta
from pathlib import Path

from sqlalchemy import select

from carinho import runtime
from carinho.config import Settings
from carinho.integracoes.database import Heartbeat
from carinho.kit import clock, migrations
from carinho.worker import Lane
from carinho.worker.heartbeat import ALIVE_SECONDS, alive_by_lane, beat, workers_seen
from carinho.worker.pool import WorkerPool


def _settings(tmp_path: Path) -> Settings:
    return Settings(_env_file=None, carinho_data_dir=tmp_path)


async def _workers(rt: runtime.Runtime, context: str = "integracoes") -> list[Heartbeat]:
    model = rt.spec(context).heartbeat
    async with rt.db(context).session() as session:
        rows = await session.execute(select(model).where(model.name.startswith("worker:")))
        return list(rows.scalars())


async def test_a_running_pool_beats_with_its_lanes_and_forgets_itself_when_it_stops(tmp_path: Path) -> None:
    settings = _settings(tmp_path)
    migrations.upgrade("integracoes", settings.database_url("integracoes"))
    rt = runtime.configure(settings)
    pool = WorkerPool(rt, [Lane.integrations, Lane.notifications], threads=2, contexts=("integracoes",))
    pool.start()
    try:
        assert await asyncio.to_thread(pool.heartbeat.first_beat.wait, 30)
        [row] = await _workers(rt)
        assert row.name == pool.heartbeat.name and row.details["pid"] == os.getpid()
        assert row.details["lanes"] == {"integrations": 2, "notifications": 2}
    finally:
        await asyncio.to_thread(pool.stop)
    try:
        assert await _workers(rt) == []
    finally:
        for db in rt.databases.values():
            await db.dispose()


async def test_workers_not_seen_for_30_seconds_count_as_dead(rt: runtime.Runtime) -> None:
    clock.freeze()
    await beat(rt, "worker:old:1:aaa", {"integrations": 10})
    clock.advance(timedelta(seconds=ALIVE_SECONDS + 1))
    await beat(rt, "worker:new:2:bbb", {"integrations": 3, "integrations-high": 5})
    await beat(rt, "worker:new:3:ccc", {"integrations": 3})
    async with rt.db("integracoes").session() as session:
        seen = await workers_seen(session, Heartbeat)
    assert {w.name: w.alive for w in seen} == {
        "worker:old:1:aaa": False,
        "worker:new:2:bbb": True,
        "worker:new:3:ccc": True,
    }
    assert alive_by_lane(seen) == {
        "integrations": {"workers": 2, "threads": 6},
        "integrations-high": {"workers": 1, "threads": 5},
    }
    clock.advance(timedelta(hours=2))
    await beat(rt, "worker:new:2:bbb", {"integrations": 3})  # a beat forgets workers gone an hour
    assert [w.name for w in await _workers(rt)] == ["worker:new:2:bbb"]


async def test_a_worker_beats_only_for_the_contexts_whose_jobs_it_runs(rt: runtime.Runtime) -> None:
    """`notifications` carries jobs of both contexts: atendimento's process consuming it for its own
    WhatsApp sends is not one of the hub's workers (the console would count it on the hub's lane)."""
    await beat(rt, "worker:a:1:aaa", {"notifications": 2, "atendimento": 4}, contexts=("atendimento",))
    await beat(rt, "worker:h:2:bbb", {"notifications": 2, "integrations": 3}, contexts=("integracoes",))
    await beat(rt, "worker:all:3:ccc", {"notifications": 2, "integrations": 1, "atendimento": 1})
    hub = {row.name: row.details["lanes"] for row in await _workers(rt, "integracoes")}
    atendimento = {row.name: row.details["lanes"] for row in await _workers(rt, "atendimento")}
    assert hub == {
        "worker:h:2:bbb": {"notifications": 2, "integrations": 3},
        "worker:all:3:ccc": {"notifications": 2, "integrations": 1},
    }
    assert atendimento == {
        "worker:a:1:aaa": {"notifications": 2, "atendimento": 4},
        "worker:all:3:ccc": {"notifications": 2, "atendimento": 1},
    }
