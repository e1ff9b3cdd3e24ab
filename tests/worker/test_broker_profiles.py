"""The same job path on both brokers: publish after commit, a lane's worker pool runs it, the row is done.
And exactly one scheduler leads when several run against one Redis."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path

import pytest
from dramatiq import Message
from dramatiq.brokers.stub import StubBroker
from sqlalchemy import select

import tests.support.test_jobs  # noqa: F401
from carinho import runtime
from carinho.config import Settings
from carinho.integracoes.database import Heartbeat, OutboxMessage
from carinho.kit import clock, migrations
from carinho.worker import Lane, enqueue
from carinho.worker.jobs import MAX_ROWS_PER_MESSAGE, enqueue_many, publish_all
from carinho.worker.pool import WorkerPool
from carinho.worker.relay import relay_once
from carinho.worker.scheduler import Scheduler
from tests.support.processes import wait_until


def _settings(tmp_path: Path, **extra: object) -> Settings:
    return Settings(_env_file=None, carinho_data_dir=tmp_path, **extra)  # type: ignore[arg-type]


@pytest.fixture(params=["embedded", "redis"])
def profile_settings(request: pytest.FixtureRequest, tmp_path: Path) -> Settings:
    if request.param == "embedded":
        return _settings(tmp_path)
    redis_url = request.getfixturevalue("redis_url")
    namespace = request.getfixturevalue("redis_namespace")
    return _settings(tmp_path, redis_url=redis_url, redis_namespace=namespace)


async def test_committed_job_runs_on_its_lanes_worker_pool(profile_settings: Settings) -> None:
    migrations.upgrade("integracoes", profile_settings.database_url("integracoes"))
    rt = runtime.configure(profile_settings)
    pool = WorkerPool(rt, [Lane.integrations], threads=2)
    pool.start()
    try:
        async with rt.db("integracoes").session() as session:
            outbox_id = await enqueue(session, "tests.touch", {"key": "via-broker"})
            await session.commit()

        async def done() -> bool:
            async with rt.db("integracoes").session() as session:
                row = await session.get(OutboxMessage, outbox_id)
                return row is not None and row.status == "done"

        # No relay runs here: only the after-commit publish can have delivered it.
        await wait_until(done, timeout=30, what="the worker to run the job")
        async with rt.db("integracoes").session() as session:
            beat = await session.get(Heartbeat, "job:via-broker")
            assert beat is not None and beat.details["runs"] == 1
    finally:
        await asyncio.to_thread(pool.stop)
        for db in rt.databases.values():
            await db.dispose()


async def _enqueue_many_and_publish(rt: runtime.Runtime, keys: list[str]) -> None:
    """What the webhook group commit does: many outbox rows in one transaction, published after it."""
    async with rt.db("integracoes").engine.begin() as connection:
        pending = await connection.run_sync(
            lambda c: enqueue_many(
                c, "tests.touch", [{"key": key} for key in keys], lanes=[Lane.integrations] * len(keys)
            )
        )
    publish_all(pending)


async def test_batched_rows_all_run_on_the_lanes_worker_pool(profile_settings: Settings) -> None:
    migrations.upgrade("integracoes", profile_settings.database_url("integracoes"))
    rt = runtime.configure(profile_settings)
    pool = WorkerPool(rt, [Lane.integrations], threads=3)
    pool.start()
    keys = [f"batched-{n}" for n in range(40)]
    try:
        await _enqueue_many_and_publish(rt, keys)

        async def all_done() -> bool:
            async with rt.db("integracoes").session() as session:
                statuses = (await session.execute(select(OutboxMessage.status))).scalars().all()
                return len(statuses) == 40 and set(statuses) == {"done"}

        await wait_until(all_done, timeout=60, what="the worker to run every batched row")
        async with rt.db("integracoes").session() as session:
            beats = (
                await session.execute(select(Heartbeat).where(Heartbeat.name.like("job:batched-%")))
            ).scalars()
            assert sorted(beat.details["runs"] for beat in beats) == [1] * 40
    finally:
        await asyncio.to_thread(pool.stop)
        for db in rt.databases.values():
            await db.dispose()


@pytest.mark.parametrize(("rows", "messages", "largest"), [(3, 3, 1), (30, 10, 3), (200, 25, 8)])
async def test_batched_rows_are_published_in_few_messages_for_every_worker(
    tmp_path: Path, rows: int, messages: int, largest: int
) -> None:
    """The integrations lane has 10 workers: up to 10 rows, one message each; more rows share
    messages, at most MAX_ROWS_PER_MESSAGE each."""
    settings = _settings(tmp_path)
    migrations.upgrade("integracoes", settings.database_url("integracoes"))
    rt = runtime.configure(settings)
    # As a worker pool does when it starts, without its threads: the messages stay queued to be read.
    rt.lanes[Lane.integrations.value].attach_consumer()
    try:
        await _enqueue_many_and_publish(rt, [f"count-{n}" for n in range(rows)])
        broker = rt.lanes[Lane.integrations.value].broker
        assert isinstance(broker, StubBroker)
        queued = [Message.decode(data) for data in list(broker.queues[Lane.integrations.value].queue)]
        ids = [outbox_id for message in queued for outbox_id in message.args[1]]
        assert len(queued) == messages
        assert max(len(message.args[1]) for message in queued) == largest <= MAX_ROWS_PER_MESSAGE
        assert sorted(ids) == list(range(1, rows + 1))
    finally:
        for db in rt.databases.values():
            await db.dispose()


async def test_a_job_enqueued_in_a_savepoint_is_published_when_the_outer_transaction_commits(
    tmp_path: Path,
) -> None:
    """SQLAlchemy fires `after_commit` when a SAVEPOINT is released too (the flow runner's local steps
    run in savepoints). Published then, a worker found no committed row to claim and dropped the
    message: the job waited for the relay's lease (60 s), as bench/run_e2e.py's production runs showed
    for `lead.created`."""
    settings = _settings(tmp_path)
    migrations.upgrade("integracoes", settings.database_url("integracoes"))
    rt = runtime.configure(settings)
    lane = rt.lanes[Lane.integrations.value]
    lane.attach_consumer()  # messages stay queued to be read
    assert isinstance(lane.broker, StubBroker)
    queue = lane.broker.queues[Lane.integrations.value].queue

    def published() -> list[int]:
        return [outbox_id for data in list(queue) for outbox_id in Message.decode(data).args[1]]

    try:
        async with rt.db("integracoes").session() as session:
            await session.execute(select(1))  # the outer transaction is open
            savepoint = await session.begin_nested()
            outbox_id = await enqueue(session, "tests.touch", {"key": "in-savepoint"})
            await savepoint.commit()
            assert published() == []
            await session.commit()
        assert published() == [outbox_id]
    finally:
        lane.detach_consumer()
        for db in rt.databases.values():
            await db.dispose()


async def test_exactly_one_scheduler_leads(tmp_path: Path, redis_url: str, redis_namespace: str) -> None:
    settings = _settings(
        tmp_path, redis_url=redis_url, redis_namespace=redis_namespace, scheduler_lock_ttl_seconds=3
    )
    for context in runtime.CONTEXTS:
        migrations.upgrade(context, settings.database_url(context))
    rt = runtime.configure(settings)
    first, second = Scheduler(rt), Scheduler(rt)
    await first.start()
    await second.start()
    try:

        async def one_leads() -> bool:
            return [first.leading, second.leading].count(True) == 1

        await wait_until(one_leads, timeout=10, what="a leader")
        leader, follower = (first, second) if first.leading else (second, first)
        await leader.stop()  # releases the lock: the other takes over

        async def follower_leads() -> bool:
            return follower.leading

        await wait_until(follower_leads, timeout=15, what="the follower to take over")
    finally:
        for scheduler in (first, second):
            await scheduler.stop()
        for db in rt.databases.values():
            await db.dispose()


async def test_with_no_worker_in_the_process_the_embedded_broker_keeps_nothing(tmp_path: Path) -> None:
    """`carinho serve` without REDIS_URL: no worker could read an in-memory message, so none is kept
    (it would stay in memory for good); the rows wait for the relay of a process with workers."""
    settings = _settings(tmp_path)
    migrations.upgrade("integracoes", settings.database_url("integracoes"))
    rt = runtime.configure(settings)
    lane = rt.lanes[Lane.integrations.value]
    try:
        await _enqueue_many_and_publish(rt, ["unread-1", "unread-2"])
        assert isinstance(lane.broker, StubBroker)
        assert lane.broker.queues[Lane.integrations.value].qsize() == 0

        clock.advance(timedelta(seconds=settings.outbox_dispatch_lease_seconds + 1))
        pool = WorkerPool(rt, [Lane.integrations], threads=1)
        assert lane.reaches_a_worker is False
        pool.start()
        try:
            assert lane.reaches_a_worker is True
            assert await relay_once(rt, "integracoes") == 2

            async def all_done() -> bool:
                async with rt.db("integracoes").session() as session:
                    statuses = (await session.execute(select(OutboxMessage.status))).scalars().all()
                    return list(statuses) == ["done", "done"]

            await wait_until(all_done, timeout=30, what="the relayed rows to run")
        finally:
            await asyncio.to_thread(pool.stop)
        assert lane.reaches_a_worker is False
    finally:
        clock.reset()
        for db in rt.databases.values():
            await db.dispose()
