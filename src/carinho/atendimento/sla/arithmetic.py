"""SLA time in business minutes, with pauses. Pure: a BusinessCalendar and instants in, instants out.

A target's clock runs only while the calendar is open and the conversation is not paused. So:

- elapsed(t) = open minutes in [start, t) minus the open minutes of the pauses inside [start, t);
- the deadline for N minutes is the first instant at which elapsed reaches N: N open minutes after
  the start, moved later by the open minutes of every pause that begins before it is reached.

A pause still in progress has no end (None): the deadline is then only known up to its start, and
the monitor leaves paused targets alone until the pause ends.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from carinho.atendimento.working_hours.calendar import BusinessCalendar

Pause = tuple[datetime, datetime | None]


def _clipped(pauses: Iterable[Pause], start: datetime) -> list[Pause]:
    """The pauses that matter after `start`, in order, clipped to begin no earlier than it."""
    result: list[Pause] = []
    for pause_start, pause_end in sorted(pauses, key=lambda p: p[0]):
        if pause_end is not None and pause_end <= start:
            continue
        result.append((max(pause_start, start), pause_end))
    return result


def deadline(
    calendar: BusinessCalendar, start: datetime, minutes: float, pauses: Iterable[Pause] = ()
) -> datetime:
    """The instant at which `minutes` business minutes have run since `start`, pauses excluded.

    A pause in progress that begins before the deadline freezes it: the result is then what it
    would be if the pause ended now-ish, i.e. provisional; callers skip paused targets.
    """
    due = calendar.add_business_minutes(start, minutes)
    for pause_start, pause_end in _clipped(pauses, start):
        if pause_start >= due:
            break
        if pause_end is None:
            break
        due = calendar.add_business_minutes(due, calendar.business_minutes_between(pause_start, pause_end))
    return due


def paused_minutes(
    calendar: BusinessCalendar, start: datetime, end: datetime, pauses: Iterable[Pause] = ()
) -> float:
    """Business minutes of the pauses inside [start, end) (a pause in progress runs up to `end`)."""
    total = 0.0
    for pause_start, pause_end in _clipped(pauses, start):
        if pause_start >= end:
            break
        total += calendar.business_minutes_between(pause_start, min(pause_end or end, end))
    return total


def elapsed(
    calendar: BusinessCalendar, start: datetime, end: datetime, pauses: Iterable[Pause] = ()
) -> float:
    """Business minutes the clock ran in [start, end): open time minus paused open time."""
    if end <= start:
        return 0.0
    return max(
        0.0, calendar.business_minutes_between(start, end) - paused_minutes(calendar, start, end, pauses)
    )


def wall_minutes(start: datetime, end: datetime) -> float:
    return max(0.0, (end - start).total_seconds() / 60)
