"""The monitor: at risk and breached with the controllable clock, one alert and one signal per
transition however often it runs, the breach row, lists and live figures; and the backlog and
send-failure alerts, once per episode."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy import select

from carinho.atendimento import signals
from carinho.atendimento.agents.models import Role
from carinho.atendimento.inbox.failures import mark_failed
from carinho.atendimento.inbox.models import Message
from carinho.atendimento.sla.metrics import live_metrics
from carinho.runtime import Runtime
from carinho.worker import Lane
from carinho.worker.jobs import get_job
from carinho.worker.models import OutboxStatus
from carinho.worker.scheduler import periodic_jobs
from tests.atendimento.conftest import OPEN_INSTANT, MakeAgent, freeze_at
from tests.atendimento.sla.support import incoming, move_to, run_monitor, sla_alerts, sla_of, target
from tests.support.jobs import outbox_rows


async def test_at_risk_then_breached_with_exactly_one_alert_and_signal_each(
    seeded: Runtime, atendimento: httpx.AsyncClient, make_agent: MakeAgent
) -> None:
    freeze_at(OPEN_INSTANT)
    supervisor = await make_agent(Role.supervisor)
    agent = await make_agent(name="Joana")
    conversation_id = await incoming(atendimento, "M1")
    seen: list[dict[str, Any]] = []

    async def listener(session: object, **kwargs: Any) -> None:
        seen.append(
            {
                "conversation": kwargs["conversation"].id,
                **{k: kwargs[k] for k in ("target", "before", "after")},
            }
        )

    signals.sla_state_changed.connect(listener)
    try:
        move_to(OPEN_INSTANT, 47)  # the at-risk point of a 60-minute target is 48 minutes in
        await run_monitor(seeded)
        assert await sla_alerts(supervisor, conversation_id) == []

        move_to(OPEN_INSTANT, 49)
        await run_monitor(seeded)
        await run_monitor(seeded)
        state = await sla_of(supervisor, conversation_id)
        assert state["status"] == "at_risk" and target(state, "first_response")["status"] == "at_risk"
        [risk] = await sla_alerts(supervisor, conversation_id)
        assert risk["kind"] == "sla_at_risk" and "primeira resposta em risco" in risk["title"]

        move_to(OPEN_INSTANT, 61)
        await run_monitor(seeded)
        await run_monitor(seeded)
        state = await sla_of(supervisor, conversation_id)
        assert state["status"] == "breached"
        alerts = await sla_alerts(supervisor, conversation_id)
        assert sorted(a["kind"] for a in alerts) == ["sla_at_risk", "sla_breached"]
        [breach] = state["breaches"]
        assert breach["target"] == "first_response" and breach["level"] == "N1"
        assert breach["assignee_id"] == agent.agent_id and breach["assignee_name"] == "Joana"
        assert 0.5 < breach["overdue_business_minutes"] < 1.5
        assert seen == [
            {"conversation": conversation_id, "target": "first_response", "before": "ok", "after": "at_risk"},
            {
                "conversation": conversation_id,
                "target": "first_response",
                "before": "at_risk",
                "after": "breached",
            },
        ]
    finally:
        signals.sla_state_changed._receivers.remove(listener)

    [recorded] = (await supervisor.get("/api/sla/breaches")).json()
    assert recorded["conversation_id"] == conversation_id and recorded["target"] == "first_response"
    assert (await agent.get("/api/sla/breaches")).status_code == 403
    listed = (await supervisor.get("/api/sla/conversations", params={"status": "breached"})).json()
    assert [c["conversation_id"] for c in listed] == [conversation_id]
    assert (await supervisor.get("/api/sla/conversations", params={"status": "at_risk"})).json() == []
    async with seeded.db("atendimento").session() as session:
        figures = await live_metrics(session)
    level = (await supervisor.get(f"/api/conversations/{conversation_id}")).json()[
        "level"
    ]  # escalation may move it
    assert figures["breached"] == 1 and figures["breached_by_level"][level] == 1 and figures["at_risk"] == 0

    # The late reply ends the breach: by how much is final, and the target is met but not in time.
    move_to(OPEN_INSTANT, 75)
    await supervisor.post(
        f"/api/conversations/{conversation_id}/messages", json={"text": "Desculpe a demora"}
    )
    state = await sla_of(supervisor, conversation_id)
    first = target(state, "first_response")
    assert first["status"] == "met" and first["met_in_time"] is False
    assert 14.5 < state["breaches"][0]["overdue_business_minutes"] < 15.5
    assert state["status"] == "ok"  # only the resolution runs, and it is fine
    history = [
        e["action"] for e in (await supervisor.get(f"/api/conversations/{conversation_id}/history")).json()
    ]
    assert history.count("sla.at_risk") == 1 and history.count("sla.breached") == 1


async def test_a_reply_after_the_deadline_counts_as_a_breach_even_before_the_monitor_runs(
    seeded: Runtime, atendimento: httpx.AsyncClient, make_agent: MakeAgent
) -> None:
    freeze_at(OPEN_INSTANT)
    agent = await make_agent()
    conversation_id = await incoming(atendimento, "M2")
    move_to(OPEN_INSTANT, 70)
    await agent.post(f"/api/conversations/{conversation_id}/messages", json={"text": "Olá"})
    state = await sla_of(agent, conversation_id)
    first = target(state, "first_response")
    assert first["status"] == "met" and first["met_in_time"] is False
    [breach] = state["breaches"]
    assert 9.5 < breach["overdue_business_minutes"] < 10.5 and breach["ended_at"] is not None


async def test_no_alert_while_the_clock_is_paused_or_the_business_is_closed(
    seeded: Runtime, atendimento: httpx.AsyncClient, make_agent: MakeAgent
) -> None:
    freeze_at(OPEN_INSTANT)
    supervisor = await make_agent(Role.supervisor)
    conversation_id = await incoming(atendimento, "M3")
    move_to(OPEN_INSTANT, 5)
    await supervisor.post(f"/api/conversations/{conversation_id}/messages", json={"text": "Pode me enviar?"})
    await supervisor.patch(f"/api/conversations/{conversation_id}", json={"status": "waiting_customer"})
    move_to(OPEN_INSTANT, 3 * 24 * 60)  # three days waiting for the customer
    await run_monitor(seeded)
    assert await sla_alerts(supervisor, conversation_id) == []
    assert (await sla_of(supervisor, conversation_id))["status"] == "ok"


async def test_backlog_and_send_failures_alert_once_per_episode(
    seeded: Runtime, atendimento: httpx.AsyncClient, make_agent: MakeAgent
) -> None:
    freeze_at(OPEN_INSTANT)
    supervisor = await make_agent(Role.supervisor)
    thresholds = {
        "backlog_unassigned_threshold": 1,
        "send_failures_threshold": 2,
        "send_failures_window_minutes": 15,
    }
    updated = await supervisor.put("/api/sla/alert-settings", json=thresholds)
    assert updated.status_code == 200 and updated.json()["backlog_unassigned_threshold"] == 1

    async def kinds(kind: str) -> list[dict[str, Any]]:
        alerts = (await supervisor.get("/api/alerts", params={"include_acknowledged": "true"})).json()
        return [a for a in alerts if a["kind"] == kind]

    first = await incoming(atendimento, "B1", phone="5511955550011")
    await run_monitor(seeded)
    assert await kinds("backlog_unassigned") == []  # one unassigned conversation is within the limit
    second = await incoming(atendimento, "B2", phone="5511955550012")
    await run_monitor(seeded)
    await run_monitor(seeded)
    [alert] = await kinds("backlog_unassigned")
    assert alert["details"]["unassigned"] == 2
    await supervisor.patch(f"/api/conversations/{second}", json={"status": "resolved"})
    move_to(OPEN_INSTANT, 1)
    await run_monitor(seeded)  # back within the limit: the episode ends
    await incoming(atendimento, "B3", phone="5511955550013")
    move_to(OPEN_INSTANT, 2)
    await run_monitor(seeded)
    assert len(await kinds("backlog_unassigned")) == 2

    for text in ("um", "dois"):
        sent = await supervisor.post(f"/api/conversations/{first}/messages", json={"text": text})
        async with seeded.db("atendimento").session() as session:
            message = await session.get(Message, sent.json()["id"])
            assert message is not None
            await mark_failed(session, message, "número sem WhatsApp")
            await session.commit()
    await run_monitor(seeded)
    await run_monitor(seeded)
    [aggregated] = await kinds("send_failures")
    assert aggregated["details"]["failed"] == 2
    assert len(await kinds("message_send_failed")) == 2  # one per message, in the app only
    fanned = {
        row.args["alert_id"]  # type: ignore[attr-defined]
        for row in await outbox_rows(seeded, "atendimento")
        if row.job == "atendimento.alert_fanout"  # type: ignore[attr-defined]
        and row.status != OutboxStatus.failed.value  # type: ignore[attr-defined]
    }
    assert aggregated["id"] in fanned
    assert not {a["id"] for a in await kinds("message_send_failed")} & fanned
    async with seeded.db("atendimento").session() as session:
        failures = (await session.execute(select(Message).where(Message.delivery_status == "failed"))).all()
    assert len(failures) == 2


def test_the_monitor_runs_every_minute_and_alerts_go_out_on_the_notifications_lane() -> None:
    monitor = periodic_jobs()["atendimento.sla_monitor"]
    assert isinstance(monitor.trigger, IntervalTrigger)
    assert monitor.trigger.interval == timedelta(minutes=1)
    assert get_job(monitor.job).lane is Lane.atendimento
    for name in ("atendimento.alert_fanout", "atendimento.alert_email", "atendimento.alert_webhook"):
        assert get_job(name).lane is Lane.notifications
