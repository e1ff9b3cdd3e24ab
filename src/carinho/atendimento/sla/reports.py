"""SLA reports over a period: % met per target and per group (priority, agent or target), and the
first-response and resolution times (average and p90) in business and in wall minutes.

Everything is read from the `sla_targets` rows, whose durations were stored when each target
ended: counts and averages are SQL aggregates; the p90 reads only the durations column.
"""

from __future__ import annotations

import math
from collections import defaultdict
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from carinho.atendimento.inbox.models import Priority
from carinho.atendimento.sla.models import SlaTarget, Target
from carinho.atendimento.sla.repository import SlaRepository
from carinho.errors import BadRequest

TIMED = (Target.first_response, Target.resolution)
MAX_PERIOD_DAYS = 366


class GroupBy(StrEnum):
    target = "target"
    priority = "priority"
    agent = "agent"


GROUP_COLUMNS = {
    GroupBy.target: SlaTarget.target,
    GroupBy.priority: SlaTarget.priority,
    GroupBy.agent: SlaTarget.agent_id,
}


def p90(values: list[float]) -> float | None:
    """Nearest-rank 90th percentile."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(0, math.ceil(0.9 * len(ordered)) - 1)]


def _round(value: Any) -> float | None:
    return None if value is None else round(float(value), 1)


def _compliance(decided: int, met: int, breached: int, running: int) -> dict[str, Any]:
    return {
        "decided": decided,
        "met": met,
        "breached": breached,
        "running": running,
        "met_percent": round(100.0 * met / decided, 1) if decided else None,
    }


def _timing(
    count: int, business: list[float], wall: list[float], avg_business: Any, avg_wall: Any
) -> dict[str, Any]:
    return {
        "count": count,
        "avg_business_minutes": _round(avg_business),
        "p90_business_minutes": _round(p90(business)),
        "avg_wall_minutes": _round(avg_wall),
        "p90_wall_minutes": _round(p90(wall)),
    }


def _label(group_by: GroupBy, key: Any, agents: dict[int, str]) -> str:
    if key is None:
        return "Sem responsável" if group_by is GroupBy.agent else "—"
    if group_by is GroupBy.target:
        return Target(key).label.capitalize()
    if group_by is GroupBy.priority:
        return Priority(key).label
    return agents.get(int(key), f"Atendente {key}")


async def sla_report(
    session: AsyncSession, since: datetime, until: datetime, group_by: GroupBy
) -> dict[str, Any]:
    if until <= since:
        raise BadRequest("O fim do período deve ser depois do início.")
    if (until - since).days > MAX_PERIOD_DAYS:
        raise BadRequest(f"O período do relatório pode ter no máximo {MAX_PERIOD_DAYS} dias.")
    repo = SlaRepository(session)
    column = GROUP_COLUMNS[group_by]
    compliance: dict[Any, dict[str, list[int]]] = defaultdict(dict)
    for row in await repo.compliance(since, until, column):
        compliance[row.key][row.target] = [
            int(row.decided),
            int(row.met),
            int(row.breached),
            int(row.running),
        ]
    averages: dict[Any, dict[str, tuple[int, Any, Any]]] = defaultdict(dict)
    for row in await repo.timings(since, until, column):
        averages[row.key][row.target] = (int(row.n), row.avg_business, row.avg_wall)
    durations: dict[Any, dict[str, tuple[list[float], list[float]]]] = defaultdict(dict)
    for row in await repo.durations(since, until, column, [t.value for t in TIMED]):
        business, wall = durations[row.key].setdefault(row.target, ([], []))
        business.append(float(row.business_minutes or 0.0))
        wall.append(float(row.wall_minutes or 0.0))
    keys = sorted(set(compliance) | set(averages), key=lambda k: (k is None, str(k)))
    agents = (
        await repo.agent_names([int(k) for k in keys if k is not None]) if group_by is GroupBy.agent else {}
    )
    groups = [
        {
            "key": None if key is None else str(key),
            "label": _label(group_by, key, agents),
            **_figures(compliance[key], averages[key], durations[key]),
        }
        for key in keys
    ]
    return {
        "from": since,
        "to": until,
        "group_by": group_by.value,
        "overall": _figures(*_merge(compliance, averages, durations)),
        "groups": groups,
    }


def _figures(
    compliance: dict[str, list[int]],
    averages: dict[str, tuple[int, Any, Any]],
    durations: dict[str, tuple[list[float], list[float]]],
) -> dict[str, Any]:
    targets = {t.value: _compliance(*compliance[t.value]) for t in Target if t.value in compliance}
    timings = {}
    for target in TIMED:
        count, avg_business, avg_wall = averages.get(target.value, (0, None, None))
        business, wall = durations.get(target.value, ([], []))
        timings[target.value] = _timing(count, business, wall, avg_business, avg_wall)
    return {"targets": targets, "timings": timings}


def _merge(
    compliance: dict[Any, dict[str, list[int]]],
    averages: dict[Any, dict[str, tuple[int, Any, Any]]],
    durations: dict[Any, dict[str, tuple[list[float], list[float]]]],
) -> tuple[dict[str, list[int]], dict[str, tuple[int, Any, Any]], dict[str, tuple[list[float], list[float]]]]:
    """The groups added up: counts summed, averages weighted by their counts, durations pooled."""
    total: dict[str, list[int]] = {}
    for per_target in compliance.values():
        for target, figures in per_target.items():
            total[target] = [a + b for a, b in zip(total.get(target, [0, 0, 0, 0]), figures, strict=True)]
    sums: dict[str, list[float]] = {}
    for group_averages in averages.values():
        for target, (count, business, wall) in group_averages.items():
            acc = sums.setdefault(target, [0, 0.0, 0.0])
            acc[0] += count
            acc[1] += float(business or 0.0) * count
            acc[2] += float(wall or 0.0) * count
    merged_averages = {
        target: (int(n), b / n if n else None, w / n if n else None) for target, (n, b, w) in sums.items()
    }
    pooled: dict[str, tuple[list[float], list[float]]] = {}
    for group_durations in durations.values():
        for target, (business_values, wall_values) in group_durations.items():
            into = pooled.setdefault(target, ([], []))
            into[0].extend(business_values)
            into[1].extend(wall_values)
    return total, merged_averages, pooled
