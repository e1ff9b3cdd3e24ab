"""Group commit: concurrent submissions share transactions, and no waiter is answered before (or
without) the commit of its batch. The failures are injected into the store the committer runs, so on
SQLite they take the path production takes there (the batch written on the event loop)."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Sequence

import pytest
from prometheus_client import REGISTRY
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.exc import IntegrityError

from carinho.integracoes.events.ingest import ingest, store_events
from carinho.integracoes.events.service import IngestResult, NewEvent
from carinho.kit.db import Database
from carinho.kit.fast_ingest.group_commit import GroupCommitter, Store, committer_for
from carinho.runtime import Runtime
from carinho.worker.jobs import publish_all
from tests.integracoes.webhooks.support import outbox_args, stored_events

Stored = tuple[list[IngestResult], list[object]]


def lead(n: int) -> NewEvent:
    return NewEvent(source="site", event_type="lead.created", idempotency_key=f"k{n}", payload={"n": n})


def committer(
    rt: Runtime, max_batch: int, max_wait: float = 0.0, store: Store[NewEvent, IngestResult] = store_events
) -> GroupCommitter[NewEvent, IngestResult]:
    return GroupCommitter(rt.db("integracoes"), store, publish_all, max_batch, max_wait)


async def test_concurrent_submissions_share_batches_and_are_committed(rt: Runtime) -> None:
    group = committer(rt, max_batch=16)
    results = await asyncio.gather(*(group.submit(lead(n)) for n in range(40)))
    assert len({r.event_id for r in results}) == 40
    assert not any(r.duplicate for r in results)
    assert group.batches < 40  # shared transactions
    assert len(await stored_events(rt)) == 40
    assert len(await outbox_args(rt)) == 40


async def _submitted_after(group: GroupCommitter[NewEvent, IngestResult], n: int, turns: int) -> IngestResult:
    for _ in range(turns):  # as requests parsed in later turns of the event loop
        await asyncio.sleep(0)
    return await group.submit(lead(n))


async def test_a_batch_gathers_the_events_of_the_next_turns(rt: Runtime) -> None:
    group = committer(rt, max_batch=64, max_wait=60.0)
    await asyncio.gather(*(_submitted_after(group, n, turns=n) for n in range(6)))
    assert group.batches == 1
    assert len(await stored_events(rt)) == 6


async def test_each_transaction_is_counted_with_its_events(rt: Runtime) -> None:
    def totals() -> tuple[float, float]:
        sample = REGISTRY.get_sample_value
        return (
            sample("carinho_ingest_batch_events_sum") or 0.0,
            sample("carinho_ingest_batch_events_count") or 0.0,
        )

    before = totals()
    group = committer(rt, max_batch=64, max_wait=60.0)
    await asyncio.gather(*(_submitted_after(group, n, turns=n) for n in range(6)))
    assert (totals()[0] - before[0], totals()[1] - before[1]) == (6, 1)


async def test_without_waiting_a_batch_takes_only_what_is_queued(rt: Runtime) -> None:
    group = committer(rt, max_batch=64, max_wait=0.0)
    await asyncio.gather(*(_submitted_after(group, n, turns=n) for n in range(6)))
    assert group.batches > 1
    assert len(await stored_events(rt)) == 6


async def test_a_full_batch_goes_without_waiting(rt: Runtime) -> None:
    group = committer(rt, max_batch=3, max_wait=60.0)
    await asyncio.gather(*(_submitted_after(group, n, turns=n) for n in range(6)))
    assert group.batches == 2


async def test_a_failed_batch_fails_every_waiter_and_stores_nothing(rt: Runtime) -> None:
    def store_then_fail(connection: Connection, items: Sequence[NewEvent]) -> Stored:
        store_events(connection, items)  # written, never committed
        raise RuntimeError("disk full")

    failing = committer(rt, max_batch=64, store=store_then_fail)
    outcomes = await asyncio.gather(*(failing.submit(lead(n)) for n in range(10)), return_exceptions=True)
    assert all(isinstance(o, RuntimeError) for o in outcomes)
    assert await stored_events(rt) == []
    assert await outbox_args(rt) == []
    # After the rollback the database (on SQLite: a fresh on-loop connection) takes the next batch.
    stored = await committer(rt, max_batch=64).submit(lead(99))
    assert [e.id for e in await stored_events(rt)] == [stored.event_id]


async def test_an_event_that_cannot_be_stored_fails_alone(rt: Runtime) -> None:
    """Past the webhooks' own checks (a lone surrogate is refused there with a 400), a value the
    database cannot take fails its request only, not the others sharing its batch."""
    unstorable = NewEvent(
        source="site", event_type="lead.created", idempotency_key="bad", payload={"name": "Ana \udc00"}
    )
    group = committer(rt, max_batch=64)
    submissions = [group.submit(lead(n)) for n in range(5)]
    submissions.insert(2, group.submit(unstorable))
    outcomes = await asyncio.gather(*submissions, return_exceptions=True)
    assert isinstance(outcomes[2], Exception)
    stored = [o for o in outcomes if isinstance(o, IngestResult)]
    assert len(stored) == 5 and not any(r.duplicate for r in stored)
    assert sorted(e.idempotency_key for e in await stored_events(rt)) == [f"k{n}" for n in range(5)]
    assert len(await outbox_args(rt)) == 5


async def test_unique_key_race_is_retried(rt: Runtime) -> None:
    """Another process committed lead 1 after this batch looked its key up: the insert collides,
    the batch is rolled back, and the second pass finds the winner's row."""
    winner = await ingest(rt, lead(1))
    calls = 0

    def lose_race_once(connection: Connection, items: Sequence[NewEvent]) -> Stored:
        nonlocal calls
        calls += 1
        if calls == 1:
            store_events(connection, [lead(3)])  # written before the collision: rolled back
            raise IntegrityError("INSERT", {}, Exception("UNIQUE constraint failed"))
        return store_events(connection, items)

    racing = committer(rt, max_batch=64, store=lose_race_once)
    first, second = await asyncio.gather(racing.submit(lead(1)), racing.submit(lead(2)))
    assert calls >= 2  # the lost race, then the retry (lead 2 may have had its own batch)
    assert first == IngestResult(winner.event_id, winner.status, duplicate=True)
    assert second.duplicate is False
    assert sorted(e.idempotency_key for e in await stored_events(rt)) == ["k1", "k2"]
    assert len(await outbox_args(rt)) == 2


@pytest.mark.parametrize("count", [1, 3])
async def test_duplicates_within_one_batch_get_the_first_id(rt: Runtime, count: int) -> None:
    group = committer(rt, max_batch=64)
    results = await asyncio.gather(*(group.submit(lead(7)) for _ in range(count)))
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
        submitted = asyncio.create_task(committer(rt, max_batch=16).submit(lead(1)))
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

    def lookup(database: Database) -> GroupCommitter[NewEvent, IngestResult]:
        return committer_for(database, store_events, publish_all, 8, 0.005)

    async def lookups() -> tuple[GroupCommitter[NewEvent, IngestResult], ...]:
        return lookup(db), lookup(db), lookup(other_db)

    first, again, other = asyncio.run(lookups())
    assert first is again and other is not first
    after_restart, _, _ = asyncio.run(lookups())  # a new loop on the same thread
    assert after_restart is not first and after_restart.loop is not first.loop
