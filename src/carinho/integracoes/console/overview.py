"""Visão geral: the hub at a glance — open alerts, lanes with their backlog, running work, oldest wait,
work done and failed in the last minute (a lane that stops draining turns red) and the workers alive
on each, the scheduler, ingest per source, deliveries per target system, charts of the last hour or
day, events of the last hour and day, the dead-letter queue. Refreshed when the hub's state moves
(server-sent events, console/live.py) and every 15 seconds regardless (a lane's wait grows with
time alone)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import Response

from carinho.health import detailed_health
from carinho.integracoes.alerts.rules import KINDS
from carinho.integracoes.alerts.service import alert_service
from carinho.integracoes.console.auth import ConsoleViewer, HubSession
from carinho.integracoes.console.live import LIVE_URL
from carinho.integracoes.console.overview_charts import overview_charts, period_for
from carinho.integracoes.console.pages import HOME_URL, pages
from carinho.integracoes.database import Heartbeat
from carinho.integracoes.dlq.service import dead_letter_service
from carinho.integracoes.events.service import RecentWindow, event_service
from carinho.integracoes.ops.received import (
    SETTLE_SECONDS,
    PerMinute,
    ReceivedPerMinute,
    by_source,
    minute_of,
    minute_start,
)
from carinho.integracoes.ops.repository import OpsRepository
from carinho.kit.clock import utcnow
from carinho.worker.heartbeat import alive_by_lane, workers_seen

router = APIRouter(include_in_schema=False)

INGEST_WINDOW = 5  # minutes


async def overview_context(request: Request, session: HubSession) -> dict[str, Any]:
    period = period_for(request.query_params.get("periodo"))
    # The health checks open connections of their own; on SQLite every transaction holds the write
    # lock (BEGIN IMMEDIATE), so the one that loaded the operator ends first or they wait for it.
    await session.commit()
    rt = request.app.state.runtime
    health = await detailed_health(rt, "integracoes")
    outbox = health["checks"].get("outbox", {})
    now = utcnow()
    ops = OpsRepository(session)
    received = await received_for(request.app).read(event_service.repository(session), now)
    oldest = outbox.get("oldest_pending_age_seconds_by_lane", {})
    finished = await ops.finished_by_lane(now - timedelta(minutes=1))
    counts_by_lane = outbox.get("lanes", {})
    workers = await workers_seen(session, Heartbeat, now)
    alive = alive_by_lane(workers)
    lanes = [
        {
            **counts_by_lane.get(lane, {}),
            "lane": lane,
            "oldest_age": oldest.get(lane, 0.0),
            "done_per_minute": finished.get(lane, {}).get("done", 0),
            "failed_per_minute": finished.get(lane, {}).get("failed", 0),
            "workers": alive.get(lane, {}).get("workers", 0),
            "threads": alive.get(lane, {}).get("threads", 0),
        }
        for lane in sorted(set(counts_by_lane) | set(finished) | set(alive))
    ]
    stuck_after = rt.settings.console_lane_stuck_seconds
    for lane in lanes:
        lane["stuck"] = lane["oldest_age"] > stuck_after
    return {
        "health": health,
        "lanes": lanes,
        "alerts": await alert_service.open_alerts(session),
        "alert_kinds": KINDS,
        "ingest_per_minute": _ingest_per_minute(received, now),
        "deliveries": await ops.deliveries_by_target(now - timedelta(hours=1)),
        "oldest_age": outbox.get("oldest_pending_age_seconds") or 0,
        "stuck": (outbox.get("oldest_pending_age_seconds") or 0) > stuck_after,
        "scheduler": health["checks"].get("scheduler", {}),
        "events": {
            "last_hour": await _window(session, received, now, 60),
            "last_day": await _window(session, received, now, 24 * 60),
        },
        "dlq": await dead_letter_service.open_summary(session),
        "workers_alive": [w for w in workers if w.alive],
        **await overview_charts(session, now, period, received),
    }


def received_for(app: FastAPI) -> ReceivedPerMinute:
    """The app's one roll-up of the events received (ops/received.py), shared by every console."""
    received: ReceivedPerMinute | None = getattr(app.state, "console_received", None)
    if received is None:
        sqlite = app.state.runtime.db("integracoes").backend == "sqlite"
        received = ReceivedPerMinute(settle_seconds=0.0 if sqlite else SETTLE_SECONDS)
        app.state.console_received = received
    return received


def _ingest_per_minute(received: PerMinute, now: datetime) -> dict[str, float]:
    """Events received per minute by source, over the last 5 minutes (the current one included)."""
    last = minute_of(now)
    counts = by_source(received, last - INGEST_WINDOW + 1, last)
    return {source: round(n / INGEST_WINDOW, 1) for source, n in sorted(counts.items())}


async def _window(session: HubSession, received: PerMinute, now: datetime, minutes: int) -> RecentWindow:
    """The events of the last `minutes` whole minutes, the current one included."""
    first = minute_of(now) - minutes + 1
    counts = by_source(received, first, minute_of(now))
    return await event_service.recent_window(session, counts, minute_start(first), now)


@router.get(HOME_URL)
async def overview(request: Request, session: HubSession, operator: ConsoleViewer) -> Response:
    context = await overview_context(request, session)
    return pages.render(
        request, "console/overview.html", active="painel", title="Visão geral", live_url=LIVE_URL, **context
    )


@router.get(f"{HOME_URL}/atualizar")
async def overview_refresh(request: Request, session: HubSession, operator: ConsoleViewer) -> Response:
    context = await overview_context(request, session)
    return pages.render(request, "console/overview_body.html", **context)
