"""The overview's roll-up of the events received (ops/received.py): per minute and source the same
figures as counting the events, on SQLite, MariaDB and PostgreSQL; a later read adds the new events;
an id committed below one already read is still counted while the ids settle."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from carinho.integracoes.events.models import IntegrationEvent
from carinho.integracoes.events.service import event_service
from carinho.integracoes.ops.received import (
    KEEP_MINUTES,
    ReceivedPerMinute,
    by_source,
    minute_of,
    per_bucket,
)
from carinho.runtime import Runtime

T0 = datetime(2026, 12, 7, 12, 0, 30, tzinfo=UTC)
M0 = minute_of(T0)


def _event(source: str, created_at: datetime, event_id: int | None = None) -> IntegrationEvent:
    return IntegrationEvent(
        id=event_id,
        source=source,
        event_type="lead.created",
        idempotency_key=uuid.uuid4().hex,
        payload="{}",
        lane="integrations",
        created_at=created_at,
    )


async def _add(rt: Runtime, *events: IntegrationEvent) -> None:
    async with rt.db("integracoes").session() as session:
        session.add_all(events)
        await session.commit()


async def _read(rt: Runtime, received: ReceivedPerMinute, now: datetime) -> dict[int, dict[str, int]]:
    async with rt.db("integracoes").read_session() as session:
        return await received.read(event_service.repository(session), now)


async def _counted(rt: Runtime, since: datetime, until: datetime) -> dict[str, int]:
    async with rt.db("integracoes").read_session() as session:
        return await event_service.repository(session).count_by("source", since, until)


async def test_the_minutes_per_source_match_the_events_and_grow_with_new_ones(rt: Runtime) -> None:
    await _add(
        rt,
        _event("site", T0 - timedelta(days=2)),  # before the day: not kept
        _event("site", T0 - timedelta(hours=23)),
        _event("crm", T0 - timedelta(minutes=30)),
        _event("crm", T0 - timedelta(minutes=30, seconds=10)),
        _event("site", T0),
    )
    received = ReceivedPerMinute(settle_seconds=0)
    counts = await _read(rt, received, T0)
    assert min(counts) >= M0 - KEEP_MINUTES + 1
    assert by_source(counts, M0 - 59, M0) == {"crm": 2, "site": 1}
    day_start = datetime.fromtimestamp((M0 - 1439) * 60, UTC)
    assert by_source(counts, M0 - 1439, M0) == {"crm": 2, "site": 2} == await _counted(rt, day_start, T0)
    assert per_bucket(counts, 60)[M0] == 1 and per_bucket(counts, 60)[M0 - 30] == 2

    later = T0 + timedelta(minutes=1)
    await _add(rt, *(_event("site", later) for _ in range(3)), _event("zapi", later))
    counts = await _read(rt, received, later)
    assert by_source(counts, M0 + 1, M0 + 1) == {"site": 3, "zapi": 1}
    assert by_source(counts, M0 - 58, M0 + 1) == {"crm": 2, "site": 4, "zapi": 1}
    assert sum(per_bucket(counts, 3600).values()) == 8  # every kept minute: all but the oldest event


async def test_an_id_committed_below_one_already_read_is_counted_while_the_ids_settle(rt: Runtime) -> None:
    # PostgreSQL and MariaDB hand ids out before the commit: a transaction may commit id 5 after
    # id 10 was read. The roll-up counts the last settle_seconds' ids again on each read.
    now = [0.0]
    received = ReceivedPerMinute(settle_seconds=30, clock=lambda: now[0])
    base = 9_000_000
    await _add(rt, _event("site", T0, base + 10))
    assert by_source(await _read(rt, received, T0), M0, M0) == {"site": 1}

    await _add(rt, _event("crm", T0, base + 5))
    now[0] = 1.0
    assert by_source(await _read(rt, received, T0), M0, M0) == {"crm": 1, "site": 1}
    for moment in (31.0, 62.0, 93.0):  # kept for good once settled, and never counted twice
        now[0] = moment
        assert by_source(await _read(rt, received, T0), M0, M0) == {"crm": 1, "site": 1}


async def test_the_first_read_keeps_what_was_created_long_ago_and_counts_only_the_recent_again(
    rt: Runtime,
) -> None:
    # After a start on PostgreSQL or MariaDB, the refreshes of the first settle window must not count
    # the whole day each: the events created well before it are kept from the first read on.
    received = ReceivedPerMinute(settle_seconds=30, clock=lambda: 0.0)
    old = _event("site", T0 - timedelta(hours=1))
    await _add(rt, old, _event("crm", T0))
    assert by_source(await _read(rt, received, T0), M0 - 60, M0) == {"crm": 1, "site": 1}

    # Gone from the table (as retention would), the old one is still counted: it was kept, not read
    # again; the recent one, within the settle window, is read again and still there.
    async with rt.db("integracoes").session() as session:
        await session.delete(await session.get(IntegrationEvent, old.id))
        await session.commit()
    assert by_source(await _read(rt, received, T0), M0 - 60, M0) == {"crm": 1, "site": 1}
