"""The sla part of the live metrics (composed by carinho.atendimento.metrics)."""

from __future__ import annotations

from datetime import UTC, datetime, time
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from carinho.atendimento.sla.models import SlaStatus, Target
from carinho.atendimento.sla.repository import SlaRepository
from carinho.atendimento.working_hours.service import working_hours_service
from carinho.kit.clock import utcnow

LEVELS = ("N1", "N2", "N3")


def _round(value: Any) -> float | None:
    return None if value is None else round(float(value), 1)


async def local_midnight(session: AsyncSession) -> datetime:
    """Today's start in the business calendar's time zone, as UTC."""
    calendar = await working_hours_service.calendar(session)
    today = utcnow().astimezone(calendar.tz).date()
    return datetime.combine(today, time(), tzinfo=calendar.tz).astimezone(UTC)


async def live_metrics(session: AsyncSession) -> dict[str, Any]:
    """SLA at risk and breached now (per level), and today's first-response and resolution times."""
    repo = SlaRepository(session)
    by_level: dict[str, dict[str, int]] = {
        SlaStatus.at_risk.value: dict.fromkeys(LEVELS, 0),
        SlaStatus.breached.value: dict.fromkeys(LEVELS, 0),
    }
    for status, level, count in await repo.counts_by_level():
        by_level[status][level] = by_level[status].get(level, 0) + int(count)
    since = await local_midnight(session)
    today: dict[str, Any] = {}
    for target in (Target.first_response, Target.resolution):
        count, business, wall = await repo.averages_ended_since(target.value, since)
        today[target.value] = {
            "count": count,
            "avg_business_minutes": _round(business),
            "avg_wall_minutes": _round(wall),
        }
    return {
        "at_risk": sum(by_level[SlaStatus.at_risk.value].values()),
        "breached": sum(by_level[SlaStatus.breached.value].values()),
        "at_risk_by_level": by_level[SlaStatus.at_risk.value],
        "breached_by_level": by_level[SlaStatus.breached.value],
        "today": today,
    }
