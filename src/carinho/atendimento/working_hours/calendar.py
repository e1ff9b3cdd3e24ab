"""Business-time arithmetic over a weekly schedule with several intervals per day, holidays and
company dates. Pure: no database, no clock; the service builds one from the tables.

Intervals are [start, end) in minutes since local midnight (end <= 1440), on the calendar's time
zone; results are aware UTC datetimes. America/Sao_Paulo has had no DST since 2019, but local
times are converted through zoneinfo anyway, so the arithmetic stays right for any zone.
"""

from __future__ import annotations

from collections.abc import Container, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

Interval = tuple[int, int]
MINUTES_PER_DAY = 24 * 60
# How far to look for the next opening before concluding the calendar never opens.
SEARCH_HORIZON_DAYS = 800


class NoOpenTime(ValueError):
    """The calendar has no (or not enough) open time within the search horizon."""


def minutes_of(value: str) -> int:
    """'08:30' -> 510 (24:00 is the end of the day); raises ValueError for anything else."""
    hours_text, _, minutes_text = value.strip().partition(":")
    hours, minutes = int(hours_text), int(minutes_text)
    if not (0 <= hours <= 24 and 0 <= minutes <= 59) or (hours == 24 and minutes):
        raise ValueError(f"not a time of day: {value}")
    return hours * 60 + minutes


def hhmm(minute: int) -> str:
    return f"{minute // 60:02d}:{minute % 60:02d}"


def parse_intervals(text: str) -> list[Interval]:
    """'08:00-12:00, 13:00-18:00' -> [(480, 720), (780, 1080)]; '' -> []; raises ValueError."""
    intervals: list[Interval] = []
    for part in (p for p in text.replace(";", ",").split(",") if p.strip()):
        start, sep, end = part.replace("–", "-").partition("-")
        if not sep:
            raise ValueError(f"not an interval: {part}")
        intervals.append((minutes_of(start), minutes_of(end)))
    return intervals


def format_intervals(intervals: tuple[Interval, ...] | list[Interval]) -> str:
    return ", ".join(f"{hhmm(s)}–{hhmm(e)}" for s, e in intervals)


def validate_intervals(intervals: list[Interval] | tuple[Interval, ...]) -> tuple[Interval, ...]:
    """Sorted, non-overlapping, inside the day; raises ValueError otherwise."""
    result = sorted((int(s), int(e)) for s, e in intervals)
    previous_end = 0
    for start, end in result:
        if not 0 <= start < end <= MINUTES_PER_DAY:
            raise ValueError(f"interval {start}-{end} is not inside one day")
        if start < previous_end:
            raise ValueError("intervals overlap")
        previous_end = end
    return tuple(result)


@dataclass(frozen=True)
class BusinessCalendar:
    tz: ZoneInfo
    weekly: Mapping[int, tuple[Interval, ...]]
    closed: Container[date] = field(default_factory=frozenset)
    special: Mapping[date, tuple[Interval, ...]] = field(default_factory=dict)

    def intervals_on(self, day: date) -> tuple[Interval, ...]:
        if day in self.special:
            return self.special[day]
        if day in self.closed:
            return ()
        return self.weekly.get(day.weekday(), ())

    def _at(self, day: date, minute: int) -> datetime:
        local = datetime.combine(day, time()) + timedelta(minutes=minute)
        return local.replace(tzinfo=self.tz).astimezone(UTC)

    def _local_date(self, instant: datetime) -> date:
        return instant.astimezone(self.tz).date()

    def windows(
        self, since: datetime, days: int = SEARCH_HORIZON_DAYS
    ) -> Iterator[tuple[datetime, datetime]]:
        """Open windows (merged across midnight) that end after `since`, in order, for `days` days."""
        day = self._local_date(since) - timedelta(days=1)
        pending: tuple[datetime, datetime] | None = None
        for _ in range(days + 1):
            for start, end in self.intervals_on(day):
                window = (self._at(day, start), self._at(day, end))
                if pending is not None and pending[1] == window[0]:
                    pending = (pending[0], window[1])
                    continue
                if pending is not None and pending[1] > since:
                    yield pending
                pending = window
            day += timedelta(days=1)
        if pending is not None and pending[1] > since:
            yield pending

    def is_open(self, instant: datetime) -> bool:
        for start, end in self.windows(instant):
            return start <= instant < end
        return False

    def next_opening(self, instant: datetime) -> datetime | None:
        """The first instant >= `instant` at which we are open (`instant` itself when open)."""
        for start, _ in self.windows(instant):
            return max(start, instant)
        return None

    def current_closing(self, instant: datetime) -> datetime | None:
        for start, end in self.windows(instant):
            return end if start <= instant else None
        return None

    def add_business_minutes(self, instant: datetime, minutes: float) -> datetime:
        """The instant after `minutes` of open time counted from `instant`."""
        if minutes < 0:
            raise ValueError("minutes must not be negative")
        remaining = timedelta(minutes=minutes)
        if not remaining:
            return instant
        for start, end in self.windows(instant):
            begin = max(start, instant)
            available = end - begin
            if remaining <= available:
                return begin + remaining
            remaining -= available
        raise NoOpenTime("the calendar has no open time in the search horizon")

    def business_minutes_between(self, start: datetime, end: datetime) -> float:
        """Open minutes in [start, end); 0 when end <= start."""
        if end <= start:
            return 0.0
        total = timedelta(0)
        days = (end - start).days + 2
        for window_start, window_end in self.windows(start, days):
            if window_start >= end:
                break
            total += min(window_end, end) - max(window_start, start)
        return total.total_seconds() / 60
