"""Pure arithmetic of the live metrics: hour buckets, percentiles and queue waits in business time."""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import datetime, timedelta

from carinho.atendimento.working_hours.calendar import BusinessCalendar

HOUR = timedelta(hours=1)


def hour_floor(instant: datetime) -> datetime:
    return instant.replace(minute=0, second=0, microsecond=0)


def minutes(delta: timedelta) -> float:
    return delta.total_seconds() / 60


def average(values: Sequence[float]) -> float | None:
    return round(sum(values) / len(values), 2) if values else None


def p90(values: Sequence[float]) -> float | None:
    """Nearest-rank 90th percentile: the smallest value with at least 90 % of the values <= it."""
    if not values:
        return None
    ordered = sorted(values)
    return round(ordered[math.ceil(0.9 * len(ordered)) - 1], 2)


def open_minutes_until(calendar: BusinessCalendar, starts: Sequence[datetime], end: datetime) -> list[float]:
    """Open minutes in [s, end) for each s of `starts` (ascending), in one walk over the calendar.

    Equal to `calendar.business_minutes_between(s, end)` for each s, but a queue of thousands costs
    one pass over the windows instead of one per conversation.
    """
    if not starts:
        return []
    points = [min(s, end) for s in starts] + [end]
    origin = points[0]
    cumulative: list[timedelta] = []  # open time in [origin, point) for each point
    total = timedelta(0)
    i = 0
    for window_start, window_end in calendar.windows(origin, (end - origin).days + 2):
        begin = max(window_start, origin)
        while i < len(points) and points[i] <= begin:
            cumulative.append(total)
            i += 1
        while i < len(points) and points[i] < window_end:
            cumulative.append(total + (points[i] - begin))
            i += 1
        if i == len(points):
            break
        total += window_end - begin
    cumulative.extend([total] * (len(points) - i))
    until_end = cumulative[-1]
    return [round(minutes(until_end - at), 2) for at in cumulative[:-1]]
