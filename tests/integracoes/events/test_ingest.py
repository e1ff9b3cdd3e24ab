"""Group commit: concurrent submissions share transactions, and no waiter is answered before (or
without) the commit of its batch."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Sequence

import pytest
from prometheus_client import REGISTRY
from sqlalchemy.engine import make_url
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from carinho.integracoes.events.ingest import GroupCommitter, committer_for
from carinho.integracoes.events.service import IngestResult, NewEvent, event_service
from carinho.kit.db import Database
from carinho.runtime import Runtime
from tests.integracoes.webhooks.support import outbox_args, stored_events


def lead(n: int) -> NewEvent:
    return NewEvent(source="site", event_type="lead.created", idempotency_key=f"k{n}", payload={"n": n})


async def test_concurrent_submissions_share_batches_and_are_committed(rt: Runtime) -> None:
    committer = GroupCommitter(rt.db("integracoes"), max_batch=16)
    results = await asyncio.gather(*(committer.submit(lead(n)) for n in range(40)))
    assert len({r.event_id for r in results}) == 40
    assert not any(r.duplicate for r in results)
    assert committer.batches < 40  # shared transactions
    assert len(await stored_events(rt)) == 40
    assert len(await outbox_args(rt)) == 40


async def _submitted_after(committer: GroupCommitter, n: int, turns: int) -> IngestResult:
    for _ in range(turns):  # as requests parsed in later turns of the event loop
        await asyncio.sleep(0)
    return await committer.submit(lead(n))


async def test_a_batch_gathers_the_events_of_the_next_turns(rt: Runtime) -> None:
    committer = GroupCommitter(rt.db("integracoes"), max_batch=64, max_wait=60.0)
    await asyncio.gather(*(_submitted_after(committer, n, turns=n) for n in range(6)))
    assert committer.batches == 1
    assert len(await stored_events(rt)) == 6


async def test_each_transaction_is_counted_with_its_events(rt: Runtime) -> None:
    def totals() -> tuple[float, float]:
        sample = REGISTRY.get_sample_value
        return (
            sample("carinho_ingest_batch_events_sum") or 0.0,
            sample("carinho_ingest_batch_events_count") or 0.0,
        )

    before = totals()
    committer = GroupCommitter(rt.db("integracoes"), max_batch=64, max_wait=60.0)
    await asyncio.gather(*(_submitted_after(committer, n, turns=n) for n in range(6)))
    assert (totals()[0] - before[0], totals()[1] - before[1]) == (6, 1)


async def test_without_waiting_a_batch_takes_only_what_is_queued(rt: Runtime) -> None:
    committer = GroupCommitter(rt.db("integracoes"), max_batch=64, max_wait=0.0)
    await asyncio.gather(*(_submitted_after(committer, n, turns=n) for n in range(6)))
    assert committer.batches > 1
    assert len(await stored_events(rt)) == 6


async def test_a_full_batch_goes_without_waiting(rt: Runtime) -> None:
    committer = GroupCommitter(rt.db("integracoes"), max_batch=3, max_wait=60.0)
    await asyncio.gather(*(_submitted_after(committer, n, turns=n) for n in range(6)))
    assert committer.batches == 2


async def test_a_failed_batch_fails_every_waiter_and_stores_nothing(rt: Runtime) -> None:
    async def store_then_fail(session: AsyncSession, items: Sequence[NewEvent]) -> list[IngestResult]:
        await event_service.store_batch(session, items)  # written, flushed, never committed
        raise RuntimeError("disk full")

    committer = GroupCommitter(rt.db("integracoes"), max_batch=64, store=store_then_fail)
    outcomes = await asyncio.gather(*(committer.submit(lead(n)) for n in range(10)), return_exceptions=True)
    assert all(isinstance(o, RuntimeError) for o in outcomes)
    assert await stored_events(rt) == []
    assert await outbox_args(rt) == []


async def test_an_event_that_cannot_be_stored_fails_alone(rt: Runtime) -> None:
    """Past the webhooks' own checks (a lone surrogate is refused there with a 400), a value the
    database cannot take fails its request only, not the others sharing its batch."""
    unstorable = NewEvent(
        source="site", event_type="lead.created", idempotency_key="bad", payload={"name": "Ana \udc00"}
    )
    committer = GroupCommitter(rt.db("integracoes"), max_batch=64)
    submissions = [committer.submit(lead(n)) for n in range(5)]
    submissions.insert(2, committer.submit(unstorable))
    outcomes = await asyncio.gather(*submissions, return_exceptions=True)
    assert isinstance(outcomes[2], Exception)
    stored = [o for o in outcomes if isinstance(o, IngestResult)]
    assert len(stored) == 5 and not any(r.duplicate for r in stored)
    assert sorted(e.idempotency_key for e in await stored_events(rt)) == [f"k{n}" for n in range(5)]
    assert len(await outbox_args(rt)) == 5


async def test_unique_key_race_is_retried(rt: Runtime) -> None:
    calls = 0

    async def lose_race_once(session: AsyncSession, items: Sequence[NewEvent]) -> list[IngestResult]:
        nonlocal calls
        calls += 1
        if calls == 1:  # another process committed the same key first
            async with rt.db("integracoes").session() as other:
                await event_service.store_batch(other, [lead(1)])
                await other.commit()
            raise IntegrityError("INSERT", {}, Exception("UNIQUE constraint failed"))
        return await event_service.store_batch(session, items)

    committer = GroupCommitter(rt.db("integracoes"), max_batch=64, store=lose_race_once)
    first, second = await asyncio.gather(committer.submit(lead(1)), committer.submit(lead(2)))
    assert calls >= 2  # the lost race, then the retry (lead 2 may have had its own batch)
    assert first.duplicate is True and second.duplicate is False
    assert len(await stored_events(rt)) == 2


@pytest.mark.parametrize("count", [1, 3])
async def test_duplicates_within_one_batch_get_the_first_id(rt: Runtime, count: int) -> None:
    committer = GroupCommitter(rt.db("integracoes"), max_batch=64)
    results = await asyncio.gather(*(committer.submit(lead(7)) for _ in range(count)))
    assert len({r.event_id for r in results}) == 1
    assert [r.duplicate for r in results].count(False) == 1


async def test_a_held_sqlite_write_lock_never_blocks_the_event_loop(rt: Runtime) -> None:
    db = rt.db("integracoes")
    if db.backend != "sqlite":
        pytest.skip("the batch is written on the event loop only on SQLite")
    with db.no_wait_engine().connect() as connection:  # BEGIN fails at once instead of waiting
        assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() == 0
    holder = sqlite3.connect(str(make_url(db.url).database), isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another writer, e.g. a worker's transaction
    try:
        committer = GroupCommitter(db, max_batch=16)
        submitted = asyncio.create_task(committer.submit(lead(1)))
        for _ in range(10):  # the loop turns: the batch waits for the lock in a worker thread
            await asyncio.sleep(0)
        assert not submitted.done()
    finally:
        holder.execute("COMMIT")  # only a running loop gets here while the batch is pending
        holder.close()
    result = await submitted
    assert result.duplicate is False
    assert [event.id for event in await stored_events(rt)] == [result.event_id]


def test_one_committer_per_database_and_running_loop() -> None:
    db, other_db = Database("sqlite+aiosqlite:///one.sqlite3"), Database("sqlite+aiosqlite:///two.sqlite3")

    async def lookups() -> tuple[GroupCommitter, GroupCommitter, GroupCommitter]:
        return committer_for(db, 8, 0.005), committer_for(db, 8, 0.005), committer_for(other_db, 8, 0.005)

    first, again, other = asyncio.run(lookups())
    assert first is again and other is not first
    after_restart, _, _ = asyncio.run(lookups())  # a new loop on the same thread
    assert after_restart is not first and after_restart.loop is not first.loop
