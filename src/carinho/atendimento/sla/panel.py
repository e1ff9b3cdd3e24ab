"""The SLA panel's "now": conversations at risk and breached per level and priority, each priority's
targets beside the % met today and this week, and the breaches still open or detected today.

Counts read `ix_sla_conversations_status`; the % met reads the targets started since Monday
(`ix_sla_targets_started`); the breaches `ix_sla_breaches_detected` plus the open ones.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from carinho.atendimento.agents.models import SupportLevel
from carinho.atendimento.inbox.models import Priority
from carinho.atendimento.sla.models import SlaStatus, SlaTarget, Target
from carinho.atendimento.sla.repository import SlaRepository
from carinho.atendimento.sla.service import sla_service
from carinho.atendimento.working_hours.service import working_hours_service
from carinho.kit.clock import utcnow

LEVELS = [level.value for level in SupportLevel]
# Most urgent first: how a supervisor reads the panel.
PRIORITIES = [Priority.urgent, Priority.high, Priority.normal, Priority.low]
BREACH_LIMIT = 50


def _percent(met: int, decided: int) -> float | None:
    return round(100.0 * met / decided, 1) if decided else None


async def panel_now(session: AsyncSession, now: datetime | None = None) -> dict[str, Any]:
    now = now or utcnow()
    repo = SlaRepository(session)
    tz = (await working_hours_service.calendar(session)).tz
    today = now.astimezone(tz).date()
    day_start = datetime.combine(today, time(), tzinfo=tz).astimezone(UTC)
    week_start = datetime.combine(today - timedelta(days=today.weekday()), time(), tzinfo=tz).astimezone(UTC)

    counts = {
        status: {lv: dict.fromkeys([p.value for p in PRIORITIES], 0) for lv in LEVELS}
        for status in (SlaStatus.at_risk.value, SlaStatus.breached.value)
    }
    for status, level, priority, count in await repo.counts_by_level_and_priority():
        counts[status].setdefault(level, {}).setdefault(priority, 0)
        counts[status][level][priority] += int(count)

    met_today: dict[str, list[int]] = {p.value: [0, 0] for p in PRIORITIES}
    met_week: dict[str, list[int]] = {p.value: [0, 0] for p in PRIORITIES}
    for since, into in ((week_start, met_week), (day_start, met_today)):
        for row in await repo.compliance(since, now + timedelta(seconds=1), SlaTarget.priority):
            if row.key in into:
                into[row.key][0] += int(row.met)
                into[row.key][1] += int(row.decided)

    targets = []
    for priority, values in sorted(
        await sla_service.policies(session), key=lambda pv: PRIORITIES.index(pv[0])
    ):
        met, decided = met_today[priority.value]
        week_met, week_decided = met_week[priority.value]
        targets.append(
            {
                "priority": priority.value,
                "label": priority.label,
                "first_response_minutes": values.minutes_for(Target.first_response),
                "next_response_minutes": values.minutes_for(Target.next_response),
                "resolution_minutes": values.minutes_for(Target.resolution),
                "today": {"decided": decided, "met": met, "met_percent": _percent(met, decided)},
                "week": {
                    "decided": week_decided,
                    "met": week_met,
                    "met_percent": _percent(week_met, week_decided),
                },
            }
        )

    breaches = []
    for breach in await repo.open_or_recent_breaches(day_start, limit=BREACH_LIMIT):
        open_ = breach.ended_at is None
        breaches.append(
            {
                "id": breach.id,
                "conversation_id": breach.conversation_id,
                "target": breach.target,
                "target_label": Target(breach.target).label,
                "priority": breach.priority,
                "priority_label": Priority(breach.priority).label,
                "level": breach.level,
                "assignee_id": breach.assignee_id,
                "assignee_name": breach.assignee_name,
                "due_at": breach.due_at,
                "detected_at": breach.detected_at,
                "ended_at": breach.ended_at,
                "open": open_,
                # An open breach is as late as the time since its due time; an ended one, its final figure.
                "late_minutes": round(max((now - breach.due_at).total_seconds(), 0) / 60, 1)
                if open_
                else round(breach.overdue_business_minutes, 1),
                "late_is_business": not open_,
            }
        )

    def totals(status: str) -> dict[str, Any]:
        per = counts[status]
        return {
            "total": sum(sum(v.values()) for v in per.values()),
            "by_level": {lv: sum(per[lv].values()) for lv in per},
            "by_priority": {p.value: sum(per[lv].get(p.value, 0) for lv in per) for p in PRIORITIES},
            "matrix": per,
        }

    return {
        "generated_at": now,
        "day_start": day_start,
        "week_start": week_start,
        "at_risk": totals(SlaStatus.at_risk.value),
        "breached": totals(SlaStatus.breached.value),
        "targets": targets,
        "breaches": breaches,
    }
