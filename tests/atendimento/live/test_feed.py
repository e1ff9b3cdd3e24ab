"""The feed: one poller shared by every subscriber, resuming from Last-Event-ID, resync for the
slow, and ids skipped over by a transaction still open (MariaDB, PostgreSQL) delivered late."""

from __future__ import annotations

from collections.abc import Sequence

import pytest
from sqlalchemy import delete

from carinho.atendimento.inbox.models import Contact, Conversation
from carinho.atendimento.live import recorder
from carinho.atendimento.live.feed import Batch, ChangeFeed, Item, Resync, stop
from carinho.atendimento.live.models import ChangeKind, LiveChange
from carinho.runtime import Runtime
from tests.atendimento.live.helpers import Ticker, last_id
from tests.atendimento.metrics.streaming import ManualClock

# What a subscriber waits at most for something the test made happen (a bound, never a pace).
PATIENCE = 30.0


def make_feed(rt: Runtime, ticker: Ticker, **kw: object) -> ChangeFeed:
    return ChangeFeed(rt.db("atendimento"), tick=ticker.wait, **kw)  # type: ignore[arg-type]


async def new_conversation(rt: Runtime, phone: str, level: str = "N1") -> int:
    async with rt.db("atendimento").session() as session:
        conversation = Conversation(contact=Contact(phone=phone), level=level)
        session.add(conversation)
        await session.commit()
        return conversation.id


async def touch(rt: Runtime, conversation_id: int, kind: ChangeKind = ChangeKind.conversation) -> int:
    async with rt.db("atendimento").session() as session:
        recorder.record(session, kind, [conversation_id])
        await session.commit()
    return await last_id(rt)


def ids(items: Sequence[Item]) -> list[int]:
    return [c.id for item in items if isinstance(item, Batch) for c in item.changes]


async def test_two_subscribers_get_a_committed_change_from_one_query(seeded: Runtime) -> None:
    before = await new_conversation(seeded, "5511900000001")
    ticker = Ticker()
    feed = make_feed(seeded, ticker)
    async with feed.subscribe() as first, feed.subscribe() as second:
        assert feed.running and feed.subscribers == 2
        # It starts at the end of the table: what happened before is not replayed.
        assert first.position == second.position == await last_id(seeded)
        conversation_id = await new_conversation(seeded, "5511900000002", level="N2")
        ticker.release()
        got_first, got_second = await first.wait(PATIENCE), await second.wait(PATIENCE)
        assert got_first == got_second
        (batch,) = got_first
        assert isinstance(batch, Batch)
        assert [(c.conversation_id, c.kind, c.assignee_id, c.level) for c in batch.changes] == [
            (conversation_id, "conversation", None, "N2")
        ]
        assert batch.position == batch.changes[-1].id == await last_id(seeded)
        assert conversation_id != before
        assert feed.polls == 1
    # The last subscriber gone, the poller stops.
    assert not feed.running and feed.subscribers == 0


async def test_a_reconnecting_subscriber_resumes_after_its_last_event_id(seeded: Runtime) -> None:
    conversation_id = await new_conversation(seeded, "5511900000003")
    seen = await touch(seeded, conversation_id)
    missed = [await touch(seeded, conversation_id, ChangeKind.message) for _ in range(2)]
    ticker = Ticker()

    # The feed not running: it starts at the end and replays the two rows after `seen`.
    feed = make_feed(seeded, ticker)
    async with feed.subscribe(last_event_id=seen) as resumed:
        assert resumed.position == seen
        (replayed,) = await resumed.wait(0)
        assert isinstance(replayed, Batch) and ids([replayed]) == missed
        assert replayed.position == missed[-1]

        # The feed running: a second browser resumes from the first missed row.
        async with feed.subscribe(last_event_id=missed[0]) as late:
            assert ids(await late.wait(0)) == missed[1:]
            # Both then follow the feed.
            newer = await touch(seeded, conversation_id, ChangeKind.delivery)
            ticker.release()
            assert ids(await resumed.wait(PATIENCE)) == ids(await late.wait(PATIENCE)) == [newer]

        # The browser's last id is the newest: nothing to replay, nothing lost.
        async with feed.subscribe(last_event_id=newer) as current:
            assert current.position == newer
            assert await current.wait(0) == []
    await stop(feed)


@pytest.mark.parametrize("last_event_id", ["pruned", "unknown", "negative"])
async def test_a_last_event_id_no_longer_retained_gets_a_resync(seeded: Runtime, last_event_id: str) -> None:
    conversation_id = await new_conversation(seeded, "5511900000004")
    first = await touch(seeded, conversation_id)
    newest = await touch(seeded, conversation_id)
    async with seeded.db("atendimento").session() as session:
        await session.execute(delete(LiveChange).where(LiveChange.id == first))
        await session.commit()
    given = {"pruned": first, "unknown": newest + 1000, "negative": -1}[last_event_id]
    feed = make_feed(seeded, Ticker())
    async with feed.subscribe(last_event_id=given) as subscription:
        assert await subscription.wait(0) == [Resync(newest, "expired")]


async def test_a_slow_subscriber_gets_a_resync_instead_of_a_backlog(seeded: Runtime) -> None:
    conversation_id = await new_conversation(seeded, "5511900000005")
    ticker = Ticker()
    feed = make_feed(seeded, ticker, capacity=2)
    async with feed.subscribe() as slow, feed.subscribe() as quick:
        for _ in range(3):
            newest = await touch(seeded, conversation_id)
            ticker.release()
            assert len(await quick.wait(PATIENCE)) == 1  # the quick one reads each batch
        # The slow one read nothing: the third batch found its buffer full.
        assert await slow.wait(0) == [Resync(newest, "behind")]
        # And it goes on from there.
        after = await touch(seeded, conversation_id)
        ticker.release()
        assert ids(await slow.wait(PATIENCE)) == [after]
        assert feed.polls == 4


async def test_an_id_skipped_by_a_transaction_still_open_is_delivered_when_it_commits(
    seeded: Runtime,
) -> None:
    if seeded.db("atendimento").backend == "sqlite":
        pytest.skip("SQLite writes one transaction at a time: ids commit in order, no gaps")
    conversation_id = await new_conversation(seeded, "5511900000006")
    ticker = Ticker()
    clock = ManualClock()
    feed = make_feed(seeded, ticker, clock=clock, gap_grace=60)
    async with feed.subscribe() as subscription:
        async with seeded.db("atendimento").session() as slow:
            slow.add(LiveChange(conversation_id=conversation_id, kind="message"))
            await slow.flush()  # its id is taken, not committed
            quick_id = await touch(seeded, conversation_id, ChangeKind.delivery)
            ticker.release()
            assert ids(await subscription.wait(PATIENCE)) == [quick_id]
            await slow.commit()
        slow_id = quick_id - 1
        ticker.release()
        (late,) = await subscription.wait(PATIENCE)
        assert isinstance(late, Batch) and ids([late]) == [slow_id] and late.changes[0].kind == "message"
        assert late.position == quick_id  # the position does not go back

        # An id that never commits (a rollback) is given up after the grace period.
        async with seeded.db("atendimento").session() as rolled_back:
            rolled_back.add(LiveChange(conversation_id=conversation_id, kind="message"))
            await rolled_back.flush()
            await rolled_back.rollback()
        after = await touch(seeded, conversation_id)
        ticker.release()
        assert ids(await subscription.wait(PATIENCE)) == [after]
        assert feed.gaps == [after - 1]
        clock.advance(61)
        await touch(seeded, conversation_id)
        ticker.release()
        assert len(await subscription.wait(PATIENCE)) == 1
        assert feed.gaps == []


async def test_a_commit_in_this_process_is_polled_at_once_not_at_the_next_tick(seeded: Runtime) -> None:
    """The default tick waits its interval or a commit that wrote changes, whichever comes first:
    with an interval of an hour, the change still arrives (the ORM hook and `record_messages`)."""
    feed = ChangeFeed(seeded.db("atendimento"), interval=3600.0)
    async with feed.subscribe() as subscription:
        conversation_id = await new_conversation(seeded, "5511900000031")
        (batch,) = await subscription.wait(PATIENCE)
        assert isinstance(batch, Batch) and [c.conversation_id for c in batch.changes] == [conversation_id]
        await touch(seeded, conversation_id, ChangeKind.delivery)
        (batch,) = await subscription.wait(PATIENCE)
        assert isinstance(batch, Batch) and [c.kind for c in batch.changes] == ["delivery"]
    assert not feed.running and recorder._commit_listeners == set()
