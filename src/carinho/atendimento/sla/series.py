"""SLA over time: % met and first-response / resolution times (average, p90) per day or per week,
per priority, agent or level, over a period — what the SLA panel draws.

One indexed read of the period's targets (`ix_sla_targets_started`), only the columns needed;
the targets are put in buckets by the local day (or the week starting on Monday) they started in,
in the business calendar's time zone. The level is the conversation's level now.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from carinho.atendimento.inbox.models import Priority
from carinho.atendimento.sla.models import SlaStatus, Target
from carinho.atendimento.sla.reports import MAX_PERIOD_DAYS, p90
from carinho.atendimento.sla.repository import SlaRepository
from carinho.atendimento.working_hours.service import working_hours_service
from carinho.errors import BadRequest


class Bucket(StrEnum):
    day = "day"
    week = "week"


class SeriesBy(StrEnum):
    priority = "priority"
    agent = "agent"
    level = "level"


TIMED = (Target.first_response.value, Target.resolution.value)


def bucket_start(day: date, bucket: Bucket) -> date:
    return day if bucket is Bucket.day else day - timedelta(days=day.weekday())


def bucket_label(start: date, bucket: Bucket) -> str:
    return start.strftime("%d/%m") if bucket is Bucket.day else f"sem. {start.strftime('%d/%m')}"


def _starts(first: date, last: date, bucket: Bucket) -> list[date]:
    step = timedelta(days=1 if bucket is Bucket.day else 7)
    current, out = bucket_start(first, bucket), []
    while current <= last:
        out.append(current)
        current += step
    return out


class _Acc:
    """One (group, bucket): decided / met counts and the durations of the targets met."""

    __slots__ = ("decided", "met", "times")

    def __init__(self) -> None:
        self.decided = 0
        self.met = 0
        self.times: dict[str, list[float]] = {t: [] for t in TIMED}

    def point(self, start: date, bucket: Bucket) -> dict[str, Any]:
        return {
            "start": start,
            "label": bucket_label(start, bucket),
            "decided": self.decided,
            "met": self.met,
            "met_percent": round(100.0 * self.met / self.decided, 1) if self.decided else None,
            **{
                target: {
                    "count": len(values),
                    "avg_business_minutes": round(sum(values) / len(values), 1) if values else None,
                    "p90_business_minutes": None if not values else round(p90(values) or 0.0, 1),
                }
                for target, values in self.times.items()
            },
        }


def _label(by: SeriesBy, key: Any, agents: dict[int, str]) -> str:
    if key is None:
        return "Sem responsável" if by is SeriesBy.agent else "—"
    if by is SeriesBy.priority:
        return Priority(key).label
    if by is SeriesBy.level:
        return str(key)
    return agents.get(int(key), f"Atendente {key}")


async def sla_series(
    session: AsyncSession, since: datetime, until: datetime, bucket: Bucket, by: SeriesBy
) -> dict[str, Any]:
    if until <= since:
        raise BadRequest("O fim do período deve ser depois do início.")
    if (until - since).days > MAX_PERIOD_DAYS:
        raise BadRequest(f"O período do relatório pode ter no máximo {MAX_PERIOD_DAYS} dias.")
    tz: ZoneInfo = (await working_hours_service.calendar(session)).tz
    repo = SlaRepository(session)
    groups: dict[Any, dict[date, _Acc]] = defaultdict(lambda: defaultdict(_Acc))
    overall: dict[date, _Acc] = defaultdict(_Acc)
    for started_at, key, target, met_in_time, status, business in await repo.series_rows(
        since, until, by.value
    ):
        day = started_at.replace(tzinfo=started_at.tzinfo or UTC).astimezone(tz).date()
        start = bucket_start(day, bucket)
        for acc in (groups[key][start], overall[start]):
            if met_in_time is not None:
                acc.decided += 1
                acc.met += 1 if met_in_time else 0
            if target in TIMED and status == SlaStatus.met.value and business is not None:
                acc.times[target].append(float(business))
    starts = _starts(
        since.astimezone(tz).date(), (until - timedelta(microseconds=1)).astimezone(tz).date(), bucket
    )
    keys = sorted(groups, key=lambda k: (k is None, str(k)))
    agents = await repo.agent_names([int(k) for k in keys if k is not None]) if by is SeriesBy.agent else {}
    return {
        "from": since,
        "to": until,
        "bucket": bucket.value,
        "group_by": by.value,
        "overall": [overall[s].point(s, bucket) if s in overall else _Acc().point(s, bucket) for s in starts],
        "groups": [
            {
                "key": None if key is None else str(key),
                "label": _label(by, key, agents),
                "total": sum(acc.decided for acc in groups[key].values()),
                "points": [
                    groups[key][s].point(s, bucket) if s in groups[key] else _Acc().point(s, bucket)
                    for s in starts
                ],
            }
            for key in keys
        ],
    }
