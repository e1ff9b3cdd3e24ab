"""MetricsService: the live snapshot of the contact center, and the hourly message roll-up."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from carinho.atendimento.agents.models import Agent, SupportLevel
from carinho.atendimento.inbox.access import sees_everything
from carinho.atendimento.inbox.models import ConversationStatus, Direction
from carinho.atendimento.incidents import metrics as incidents_metrics
from carinho.atendimento.metrics.arithmetic import (
    HOUR,
    average,
    hour_floor,
    minutes,
    open_minutes_until,
    p90,
)
from carinho.atendimento.metrics.repository import MetricsRepository, StatusLevelCount
from carinho.atendimento.metrics.schemas import (
    AgentLoad,
    AgentsFigures,
    ConversationsFigures,
    HourCount,
    LevelCounts,
    LiveMetrics,
    MessagesFigures,
    QueueFigures,
    QueueWait,
    SendFailures,
    StatusCounts,
    Timing,
    TodayFigures,
)
from carinho.atendimento.satisfaction import metrics as satisfaction_metrics
from carinho.atendimento.sla import metrics as sla_metrics
from carinho.atendimento.working_hours.calendar import BusinessCalendar
from carinho.atendimento.working_hours.service import working_hours_service
from carinho.kit.clock import utcnow

log = structlog.get_logger(__name__)

# An agent is online when available and seen (login, audit-trail action, message) this recently.
ONLINE_WINDOW = timedelta(minutes=30)
# Closed hours recounted by every roll-up: a message committed late still lands in its hour.
RECOUNT_HOURS = 2
# How far back the roll-up fills a gap (the dashboard shows 24 hours).
ROLL_UP_HORIZON_HOURS = 48
LEVELS = [level.value for level in SupportLevel]
ACTIVE_ORDER = [ConversationStatus.open, ConversationStatus.pending, ConversationStatus.waiting_customer]

PartProvider = Callable[[AsyncSession], Awaitable[dict[str, Any]]]
# The other packages' parts of the snapshot, each under its key.
PARTS: dict[str, PartProvider] = {
    "sla": sla_metrics.live_metrics,
    "incidents": incidents_metrics.live_metrics,
    "satisfaction": satisfaction_metrics.live_metrics,
}


class MetricsService:
    async def snapshot(self, session: AsyncSession) -> LiveMetrics:
        """Every figure of the dashboard, as of now (supervisors' view: every agent's row)."""
        repo = MetricsRepository(session)
        now = utcnow()
        calendar = await working_hours_service.calendar(session)
        day_start = _local_midnight(calendar, now)
        figures = LiveMetrics(
            generated_at=now,
            timezone=str(calendar.tz),
            conversations=_conversations(await repo.active_counts()),
            queue=_queue(calendar, await repo.queue(), now),
            agents=await self._agents(repo, now),
            today=TodayFigures(
                day_start=day_start,
                first_response=_timing(await repo.first_responses_since(day_start)),
                resolution=_timing(await repo.resolutions_since(day_start)),
            ),
            messages=await self._messages(repo, now),
            send_failures=SendFailures(
                last_hour=await repo.failures_since(now - HOUR),
                today=await repo.failures_since(day_start),
            ),
            sla={},
            incidents={},
            satisfaction={},
        )
        for key, provider in PARTS.items():
            setattr(figures, key, await _part(session, key, provider))
        return figures

    async def team(self, session: AsyncSession) -> AgentsFigures:
        """Every active agent's status and load (the Equipe page), without the rest of the snapshot."""
        return await self._agents(MetricsRepository(session), utcnow())

    def view_for(self, agent: Agent, figures: LiveMetrics) -> LiveMetrics:
        """What `agent` may see: supervisors everything; an agent every aggregate but only their
        own row among the agents (the others' loads are a supervisor's business)."""
        if sees_everything(agent):
            return figures
        own = [item for item in figures.agents.items if item.id == agent.id]
        agents = figures.agents.model_copy(update={"items": own})
        return figures.model_copy(update={"agents": agents})

    async def roll_up_message_hours(self, session: AsyncSession) -> int:
        """Recount the closed hours not yet counted (and the last RECOUNT_HOURS); returns how many."""
        repo = MetricsRepository(session)
        now = utcnow()
        current = hour_floor(now)
        start = current - timedelta(hours=RECOUNT_HOURS)
        latest = await repo.latest_counted_hour()
        if latest is None or latest + HOUR < start:
            start = (
                (latest + HOUR) if latest is not None else current - timedelta(hours=ROLL_UP_HORIZON_HOURS)
            )
        start = max(start, current - timedelta(hours=ROLL_UP_HORIZON_HOURS))
        counts = _bucket(await repo.message_moments(start, current), start, current)
        await repo.save_hours(start, current, counts, now)
        await session.flush()
        return len(counts)

    async def _agents(self, repo: MetricsRepository, now: datetime) -> AgentsFigures:
        agents = await repo.active_agents()
        load = await repo.active_load()
        since = now - ONLINE_WINDOW
        actions = await repo.last_actions(since)
        items: list[AgentLoad] = []
        for agent in agents:
            seen = [at for at in (agent.last_login_at, actions.get(agent.id)) if at is not None]
            last_seen = max(seen) if seen else None
            active = load.get(agent.id, 0)
            items.append(
                AgentLoad(
                    id=agent.id,
                    name=agent.name,
                    role=agent.role,
                    level=agent.level,
                    available=agent.available,
                    online=agent.available and last_seen is not None and last_seen >= since,
                    last_seen_at=last_seen,
                    active_conversations=active,
                    capacity=agent.capacity,
                    load=round(active / agent.capacity, 3) if agent.capacity > 0 else 0.0,
                )
            )
        online = [item for item in items if item.online]
        capacity = sum(item.capacity for item in online)
        busy = sum(item.active_conversations for item in online)
        return AgentsFigures(
            online_window_minutes=int(minutes(ONLINE_WINDOW)),
            active=len(items),
            available=sum(1 for item in items if item.available),
            online=len(online),
            online_capacity=capacity,
            online_active_conversations=busy,
            online_load=round(busy / capacity, 3) if capacity else None,
            items=items,
        )

    async def _messages(self, repo: MetricsRepository, now: datetime) -> MessagesFigures:
        current = hour_floor(now)
        first = current - timedelta(hours=23)
        counts: dict[datetime, tuple[int, int]] = {
            row.hour_start: (row.inbound, row.outbound) for row in await repo.hour_counts(first, current)
        }
        # Hours the roll-up has not counted yet (and always the current one) come from messages.
        missing = [first + HOUR * i for i in range(23) if first + HOUR * i not in counts]
        live_from = missing[0] if missing else current
        live = _bucket(await repo.message_moments(live_from, current + HOUR), live_from, current + HOUR)
        for hour_start, value in live.items():
            if hour_start not in counts:
                counts[hour_start] = value
        hours = [
            HourCount(hour_start=first + HOUR * i, inbound=counts[h][0], outbound=counts[h][1])
            for i in range(24)
            for h in [first + HOUR * i]
        ]
        return MessagesFigures(
            inbound_24h=sum(h.inbound for h in hours),
            outbound_24h=sum(h.outbound for h in hours),
            hours=hours,
        )


def _local_midnight(calendar: BusinessCalendar, now: datetime) -> datetime:
    local = now.astimezone(calendar.tz)
    return local.replace(hour=0, minute=0, second=0, microsecond=0).astimezone(UTC)


def _conversations(rows: list[StatusLevelCount]) -> ConversationsFigures:
    def counts(selected: list[StatusLevelCount]) -> dict[str, int]:
        return {
            "open": sum(r.total for r in selected),
            "waiting": sum(r.waiting for r in selected),
            "unassigned": sum(r.unassigned for r in selected),
        }

    return ConversationsFigures(
        **counts(rows),
        by_level=[LevelCounts(level=lv, **counts([r for r in rows if r.level == lv])) for lv in LEVELS],
        by_status=[
            StatusCounts(status=s.value, label=s.label, **counts([r for r in rows if r.status == s]))
            for s in ACTIVE_ORDER
        ],
    )


def _wait(calendar: BusinessCalendar, starts: Sequence[datetime], now: datetime) -> QueueWait:
    if not starts:
        return QueueWait(
            count=0,
            oldest_since=None,
            oldest_minutes=None,
            oldest_business_minutes=None,
            average_minutes=None,
            average_business_minutes=None,
        )
    wall = [max(minutes(now - s), 0.0) for s in starts]
    business = open_minutes_until(calendar, starts, now)
    return QueueWait(
        count=len(starts),
        oldest_since=starts[0],
        oldest_minutes=round(wall[0], 2),
        oldest_business_minutes=business[0],
        average_minutes=average(wall),
        average_business_minutes=average(business),
    )


def _queue(calendar: BusinessCalendar, rows: Sequence[tuple[str, datetime]], now: datetime) -> QueueFigures:
    overall = _wait(calendar, [since for _, since in rows], now)
    by_level = {lv: _wait(calendar, [since for level, since in rows if level == lv], now) for lv in LEVELS}
    return QueueFigures(**overall.model_dump(), by_level=by_level)


def _timing(pairs: Sequence[tuple[datetime, datetime]]) -> Timing:
    values = [max(minutes(end - start), 0.0) for start, end in pairs]
    return Timing(count=len(values), average_minutes=average(values), p90_minutes=p90(values))


def _bucket(
    moments: Sequence[tuple[datetime, str]], start: datetime, end: datetime
) -> dict[datetime, tuple[int, int]]:
    """(inbound, outbound) per hour in [start, end), zeros included."""
    hours = int((end - start) / HOUR)
    inbound = [0] * hours
    outbound = [0] * hours
    for at, direction in moments:
        index = int((at - start) / HOUR)
        if 0 <= index < hours:
            if direction == Direction.inbound:
                inbound[index] += 1
            else:
                outbound[index] += 1
    return {start + HOUR * i: (inbound[i], outbound[i]) for i in range(hours)}


async def _part(session: AsyncSession, key: str, provider: PartProvider) -> dict[str, Any]:
    """Another package's part; its failure costs only its own key, not the whole dashboard."""
    try:
        async with session.begin_nested():
            return await provider(session)
    except Exception:
        log.exception("metrics.part_failed", part=key)
        return {"erro": "Indicadores indisponíveis no momento."}


metrics_service = MetricsService()
