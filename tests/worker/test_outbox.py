"""The transactional outbox: commit runs the job, rollback never does, retries are durable."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

import tests.support.test_jobs  # noqa: F401  (registers the jobs)
from carinho.integracoes.database import Heartbeat, OutboxMessage
from carinho.kit import clock
from carinho.runtime import Runtime
from carinho.worker import enqueue
from carinho.worker.relay import relay_once, release_all
from tests.support.jobs import drain, due_ids


async def runs(rt: Runtime, key: str) -> int:
    async with rt.db("integracoes").session() as session:
        row = await session.get(Heartbeat, f"job:{key}")
        return 0 if row is None else int(row.details["runs"])


async def outbox_row(rt: Runtime, outbox_id: int) -> OutboxMessage:
    async with rt.db("integracoes").session() as session:
        row = await session.get(OutboxMessage, outbox_id)
        assert row is not None
        return row


async def test_job_enqueued_in_committed_transaction_runs(rt: Runtime) -> None:
    async with rt.db("integracoes").session() as session:
        outbox_id = await enqueue(session, "tests.touch", {"key": "committed"})
        await session.commit()
    assert await drain(rt) == 1
    assert await runs(rt, "committed") == 1
    row = await outbox_row(rt, outbox_id)
    assert row.status == "done" and row.attempts == 1


async def test_job_enqueued_in_rolled_back_transaction_never_runs(rt: Runtime) -> None:
    async with rt.db("integracoes").session() as session:
        await enqueue(session, "tests.touch", {"key": "rolled-back"})
        await session.rollback()
    async with rt.db("integracoes").session() as session:
        with pytest.raises(RuntimeError):
            async with session.begin():
                await enqueue(session, "tests.touch", {"key": "rolled-back"})
                raise RuntimeError("the request failed")
    assert await drain(rt) == 0
    assert await runs(rt, "rolled-back") == 0
    async with rt.db("integracoes").session() as session:
        assert (await session.execute(select(OutboxMessage))).first() is None


async def test_a_message_delivered_twice_runs_the_job_once(rt: Runtime) -> None:
    from carinho.worker.executor import run_outbox_message

    async with rt.db("integracoes").session() as session:
        outbox_id = await enqueue(session, "tests.touch", {"key": "twice"})
        await session.commit()
    await run_outbox_message("integracoes", outbox_id)
    await run_outbox_message("integracoes", outbox_id)
    assert await runs(rt, "twice") == 1


async def test_delayed_job_waits_for_due_at(rt: Runtime) -> None:
    async with rt.db("integracoes").session() as session:
        outbox_id = await enqueue(session, "tests.touch", {"key": "delayed"}, delay=timedelta(hours=2))
        await session.commit()
    assert await drain(rt) == 0
    assert await relay_once(rt, "integracoes") == 0  # not due: nothing to publish
    clock.advance(timedelta(hours=1, minutes=59))
    assert await due_ids(rt, "integracoes") == []
    clock.advance(timedelta(minutes=2))
    assert await relay_once(rt, "integracoes") == 1
    assert await drain(rt) == 1
    assert (await outbox_row(rt, outbox_id)).status == "done"


async def test_failed_job_is_retried_with_backoff_then_succeeds(rt: Runtime, tmp_path: Path) -> None:
    counter = str(tmp_path / "attempts")
    async with rt.db("integracoes").session() as session:
        outbox_id = await enqueue(
            session, "tests.fail_times", {"key": "flaky", "failures": 2, "counter": counter}
        )
        await session.commit()
    await drain(rt)
    row = await outbox_row(rt, outbox_id)
    assert row.status == "pending" and row.attempts == 1
    assert "planned failure 1" in (row.last_error or "")
    assert row.available_at > clock.utcnow()  # backoff, not a hot loop
    assert await runs(rt, "flaky") == 0  # the failed attempt's writes were rolled back
    for _ in range(2):
        clock.advance(timedelta(minutes=15))
        await drain(rt)
    row = await outbox_row(rt, outbox_id)
    assert row.status == "done" and row.attempts == 3
    assert await runs(rt, "flaky") == 1


async def test_job_failing_every_attempt_ends_failed(rt: Runtime, tmp_path: Path) -> None:
    counter = str(tmp_path / "attempts")
    async with rt.db("integracoes").session() as session:
        outbox_id = await enqueue(
            session, "tests.fail_times", {"key": "doomed", "failures": 99, "counter": counter}
        )
        await session.commit()
    for _ in range(5):
        await drain(rt)
        clock.advance(timedelta(hours=1))
    row = await outbox_row(rt, outbox_id)
    assert row.status == "failed" and row.attempts == 3
    assert Path(counter).read_text() == "3"


async def test_dedupe_key_keeps_one_row(rt: Runtime) -> None:
    async with rt.db("integracoes").session() as session:
        first = await enqueue(session, "tests.touch", {"key": "d"}, dedupe_key="sync:crm:1")
        second = await enqueue(session, "tests.touch", {"key": "d"}, dedupe_key="sync:crm:1")
        await session.commit()
    assert first == second
    assert await drain(rt) == 1


async def test_relay_republishes_a_lost_publish_after_its_lease(rt: Runtime) -> None:
    async with rt.db("integracoes").session() as session:
        outbox_id = await enqueue(session, "tests.touch", {"key": "lost"})
        await session.commit()
    # The publish went to a broker nobody consumes: within the lease the relay leaves it alone.
    assert await relay_once(rt, "integracoes") == 0
    clock.advance(timedelta(seconds=rt.settings.outbox_dispatch_lease_seconds + 1))
    assert await relay_once(rt, "integracoes") == 1
    assert (await outbox_row(rt, outbox_id)).status == "pending"


async def test_release_all_on_boot_makes_running_and_published_rows_due(rt: Runtime) -> None:
    from carinho.worker.outbox_repository import OutboxRepository

    async with rt.db("integracoes").session() as session:
        running = await enqueue(session, "tests.touch", {"key": "was-running"})
        await enqueue(session, "tests.touch", {"key": "later"}, delay=timedelta(hours=1))
        await session.commit()
    async with rt.db("integracoes").session() as session:
        claimed = await OutboxRepository(session, OutboxMessage).claim(running, "dead", clock.utcnow())
        await session.commit()
    assert claimed is not None
    assert await drain(rt) == 0  # running under a lease held by a dead process
    assert await release_all(rt, "integracoes") == 2
    assert await drain(rt) == 1  # the interrupted job; the delayed one keeps its due time
    assert await runs(rt, "was-running") == 1
    assert await runs(rt, "later") == 0
