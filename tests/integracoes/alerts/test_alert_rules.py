"""Alert rules open an alert once and resolve it once: a lane backed up for the rule's window,
DLQ growth, a sync failing twice, no scheduler leader; concurrent evaluations (two schedulers'
jobs at once) never open or resolve one twice; an admin's thresholds apply."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from carinho.integracoes.alerts.service import alert_service
from carinho.integracoes.database import Heartbeat
from carinho.integracoes.sync.models import SyncJob
from carinho.kit import clock
from carinho.kit.clock import utcnow
from carinho.runtime import Runtime
from carinho.worker.scheduler import HEARTBEAT_NAME
from tests.integracoes.alerts.support import (
    alerts,
    back_up,
    dead_letter,
    drain_lane,
    evaluate,
    events,
    set_rule,
)

pytestmark = pytest.mark.usefixtures("still_clock")


async def test_a_lane_backed_up_for_the_window_opens_once_and_resolves_once(rt: Runtime) -> None:
    await set_rule(rt, "lane_backlog", threshold=5, window_minutes=3)
    await back_up(rt, 6)

    first = await evaluate(rt)
    assert first.opened == []  # breached, not yet for 3 minutes: nobody is told
    [pending] = await alerts(rt)
    assert (pending.status, pending.subject) == ("pending", "integrations-low")

    clock.advance(timedelta(minutes=3))
    opened = await evaluate(rt)
    assert opened.opened == [pending.id]
    again = await evaluate(rt)
    assert again.opened == [] and again.resolved == []  # still backed up: no second alert, no storm
    [alert] = await alerts(rt)
    assert alert.status == "open" and alert.details["backlog"] == 6
    assert "integrations-low" in alert.title

    await drain_lane(rt)
    resolved = await evaluate(rt)
    assert resolved.resolved == [alert.id]
    assert (await evaluate(rt)).resolved == []
    [done] = await alerts(rt)
    assert done.status == "resolved" and done.open_key is None and done.resolved_at is not None


async def test_a_breach_that_clears_within_the_window_never_opens(rt: Runtime) -> None:
    await set_rule(rt, "lane_backlog", threshold=5, window_minutes=3)
    await back_up(rt, 6)
    await evaluate(rt)
    clock.advance(timedelta(minutes=1))
    await drain_lane(rt)
    result = await evaluate(rt)
    assert result.opened == [] and result.resolved == []
    assert await alerts(rt) == []


async def test_the_same_lane_backing_up_again_is_a_new_alert(rt: Runtime) -> None:
    await set_rule(rt, "lane_backlog", threshold=5, window_minutes=0)
    await back_up(rt, 6)
    first = await evaluate(rt)
    await drain_lane(rt)
    await evaluate(rt)
    await back_up(rt, 7)
    second = await evaluate(rt)
    assert len(first.opened) == 1 and len(second.opened) == 1 and first.opened != second.opened
    assert [a.status for a in await alerts(rt)] == ["resolved", "open"]


async def test_concurrent_evaluations_open_and_resolve_each_alert_once(rt: Runtime) -> None:
    await set_rule(rt, "lane_backlog", threshold=5, window_minutes=0)
    await back_up(rt, 6, lane="integrations-low")
    await back_up(rt, 6, lane="integrations")
    opened: list[int] = []
    for _ in range(3):
        results = await asyncio.gather(*(evaluate(rt) for _ in range(4)))
        opened += [alert_id for r in results for alert_id in r.opened]
    rows = await alerts(rt)
    assert sorted(a.subject for a in rows) == ["integrations", "integrations-low"]
    assert sorted(opened) == sorted(a.id for a in rows)  # each opened by exactly one evaluation

    await drain_lane(rt, "integrations-low")
    await drain_lane(rt, "integrations")
    resolved: list[int] = []
    for _ in range(3):
        results = await asyncio.gather(*(evaluate(rt) for _ in range(4)))
        resolved += [alert_id for r in results for alert_id in r.resolved]
    assert sorted(resolved) == sorted(a.id for a in rows)
    assert {a.status for a in await alerts(rt)} == {"resolved"}


async def test_a_disabled_rule_resolves_its_open_alert_and_opens_none(rt: Runtime) -> None:
    await set_rule(rt, "lane_backlog", threshold=5, window_minutes=0)
    await back_up(rt, 6)
    [alert_id] = (await evaluate(rt)).opened
    await set_rule(rt, "lane_backlog", threshold=5, window_minutes=0, enabled=False)
    assert (await evaluate(rt)).resolved == [alert_id]
    assert (await evaluate(rt)).opened == []


async def test_dlq_growth_and_a_target_system_down(rt: Runtime) -> None:
    await set_rule(rt, "dlq_growth", threshold=3, window_minutes=15)
    await set_rule(rt, "target_down", threshold=2, window_minutes=15)
    for target in ("crm", "crm", "financeiro"):
        await dead_letter(rt, target)
    result = await evaluate(rt)
    kinds = {(a.kind, a.subject) for a in await alerts(rt)}
    assert kinds == {("dlq_growth", ""), ("target_down", "crm")}
    assert len(result.opened) == 2
    clock.advance(timedelta(minutes=16))  # the window moved past them
    assert len((await evaluate(rt)).resolved) == 2


async def test_a_sync_failing_twice_opens_an_alert_a_success_resolves_it(rt: Runtime) -> None:
    async def run(status: str) -> None:
        async with rt.db("integracoes").session() as session:
            session.add(
                SyncJob(
                    name="crm_operacao_contracts",
                    trigger="schedule",
                    status=status,
                    created_at=utcnow(),
                    updated_at=utcnow(),
                )
            )
            await session.commit()

    await run("failed")
    assert (await evaluate(rt)).opened == []
    await run("partial")
    [alert_id] = (await evaluate(rt)).opened
    [alert] = await alerts(rt)
    assert (alert.kind, alert.subject) == ("sync_failing", "crm_operacao_contracts")
    await run("succeeded")
    assert (await evaluate(rt)).resolved == [alert_id]


async def test_no_scheduler_leader(rt: Runtime) -> None:
    async with rt.db("integracoes").session() as session:
        session.add(Heartbeat(name=HEARTBEAT_NAME, beat_at=utcnow(), details={}))
        await session.commit()
    assert (await evaluate(rt)).opened == []
    clock.advance(timedelta(minutes=3))
    [alert_id] = (await evaluate(rt)).opened
    async with rt.db("integracoes").session() as session:
        beat = await session.get(Heartbeat, HEARTBEAT_NAME)
        assert beat is not None
        beat.beat_at = utcnow()
        await session.commit()
    assert (await evaluate(rt)).resolved == [alert_id]


async def test_rules_show_defaults_until_an_admin_changes_them(rt: Runtime) -> None:
    async with rt.db("integracoes").session() as session:
        before = {r.kind.kind: r for r in await alert_service.rules(session)}
    assert before["lane_backlog"].threshold == 100 and before["lane_backlog"].updated_at is None
    await set_rule(rt, "lane_backlog", threshold=40, window_minutes=2)
    async with rt.db("integracoes").session() as session:
        after = {r.kind.kind: r for r in await alert_service.rules(session)}
    assert (after["lane_backlog"].threshold, after["lane_backlog"].window_minutes) == (40, 2)
    assert after["lane_backlog"].updated_at is not None


async def test_a_failure_rate_above_the_threshold(rt: Runtime) -> None:
    await set_rule(rt, "failure_rate", threshold=20, window_minutes=15)
    await events(rt, processed=2, failed=1)
    assert (await evaluate(rt)).opened == []  # 3 events say nothing yet (minimum 5)
    await events(rt, processed=2, failed=1)
    [alert_id] = (await evaluate(rt)).opened  # 2 of 6 failed: 33 % > 20 %
    [alert] = await alerts(rt)
    assert alert.details == {"failed": 2, "total": 6, "rate_percent": 33.3}
    await events(rt, processed=10, failed=0)
    assert (await evaluate(rt)).resolved == [alert_id]  # 2 of 16: 12.5 %
