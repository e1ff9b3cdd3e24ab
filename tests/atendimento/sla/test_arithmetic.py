"""SLA time against a minute-by-minute reference: nights, weekends, holidays, special hours, several
intervals a day and pauses (property tests; pure calendar arithmetic, no database)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from carinho.atendimento.sla import arithmetic
from carinho.atendimento.working_hours.calendar import BusinessCalendar, Interval

# São Paulo has had no daylight saving time since 2019: local time is UTC-3 all year, which lets the
# reference model compute local minutes with plain integer arithmetic.
SAO_PAULO = ZoneInfo("America/Sao_Paulo")
OFFSET_MINUTES = -180
ORIGIN = datetime(2026, 11, 30, 3, 0, tzinfo=UTC)  # Monday 00:00 in São Paulo
HORIZON_DAYS = 120


class Reference:
    """Walks the clock one minute at a time and counts the minutes that are open and not paused."""

    def __init__(
        self,
        weekly: dict[int, tuple[Interval, ...]],
        closed: frozenset[date],
        special: dict[date, tuple[Interval, ...]],
    ) -> None:
        self.weekly = weekly
        self.closed = closed
        self.special = special

    def is_open(self, instant: datetime) -> bool:
        local = instant + timedelta(minutes=OFFSET_MINUTES)
        day = local.date()
        minute = local.hour * 60 + local.minute
        if day in self.special:
            intervals = self.special[day]
        elif day in self.closed:
            intervals = ()
        else:
            intervals = self.weekly.get(day.weekday(), ())
        return any(start <= minute < end for start, end in intervals)

    @staticmethod
    def paused(instant: datetime, pauses: list[tuple[datetime, datetime | None]], now: datetime) -> bool:
        return any(start <= instant < (end or now) for start, end in pauses)

    def deadline(
        self, start: datetime, minutes: int, pauses: list[tuple[datetime, datetime | None]]
    ) -> datetime:
        counted = 0
        instant = start
        limit = start + timedelta(days=HORIZON_DAYS)
        while instant < limit:
            if self.is_open(instant) and not self.paused(instant, pauses, limit):
                counted += 1
                if counted == minutes:
                    return instant + timedelta(minutes=1)
            instant += timedelta(minutes=1)
        raise AssertionError("reference: no deadline within the horizon")

    def elapsed(self, start: datetime, end: datetime, pauses: list[tuple[datetime, datetime | None]]) -> int:
        counted = 0
        instant = start
        while instant < end:
            if self.is_open(instant) and not self.paused(instant, pauses, end):
                counted += 1
            instant += timedelta(minutes=1)
        return counted


@st.composite
def day_intervals(draw: st.DrawFn) -> tuple[Interval, ...]:
    """0 to 3 intervals in a day, on half hours (a lunch break is two intervals)."""
    points = draw(st.lists(st.integers(0, 48), min_size=0, max_size=6, unique=True))
    points = sorted(points)
    if len(points) % 2:
        points = points[:-1]
    return tuple((points[i] * 30, points[i + 1] * 30) for i in range(0, len(points), 2))


@st.composite
def calendars(draw: st.DrawFn) -> tuple[BusinessCalendar, Reference]:
    weekly = {weekday: draw(day_intervals()) for weekday in range(7)}
    open_minutes = sum(end - start for intervals in weekly.values() for start, end in intervals)
    assume(open_minutes >= 8 * 60)
    first_day = ORIGIN.astimezone(SAO_PAULO).date()
    holidays = frozenset(
        first_day + timedelta(days=offset) for offset in draw(st.lists(st.integers(0, 40), max_size=6))
    )
    special = {
        first_day + timedelta(days=offset): draw(day_intervals())
        for offset in draw(st.lists(st.integers(0, 40), max_size=2, unique=True))
    }
    calendar = BusinessCalendar(tz=SAO_PAULO, weekly=weekly, closed=holidays, special=special)
    return calendar, Reference(weekly, holidays, special)


def minute(offset: int) -> datetime:
    return ORIGIN + timedelta(minutes=offset)


@st.composite
def pause_lists(draw: st.DrawFn, start: int) -> list[tuple[datetime, datetime | None]]:
    """Closed pauses in order, without overlap; some may begin before the target's start."""
    pauses: list[tuple[datetime, datetime | None]] = []
    cursor = start - draw(st.integers(0, 600))
    for _ in range(draw(st.integers(0, 3))):
        begin = cursor + draw(st.integers(0, 3000))
        end = begin + draw(st.integers(1, 3 * 24 * 60))
        pauses.append((minute(begin), minute(end)))
        cursor = end
    return pauses


@settings(max_examples=60, deadline=None)
@given(
    data=st.data(), calendar_pair=calendars(), start=st.integers(0, 14 * 24 * 60), target=st.integers(1, 1500)
)
def test_deadline_matches_the_minute_by_minute_reference(
    data: st.DataObject, calendar_pair: tuple[BusinessCalendar, Reference], start: int, target: int
) -> None:
    calendar, reference = calendar_pair
    pauses = data.draw(pause_lists(start))
    expected = reference.deadline(minute(start), target, pauses)
    assert arithmetic.deadline(calendar, minute(start), target, pauses) == expected
    # At the deadline exactly `target` minutes have run; one minute before, fewer.
    assert arithmetic.elapsed(calendar, minute(start), expected, pauses) == target
    assert arithmetic.elapsed(calendar, minute(start), expected - timedelta(minutes=1), pauses) < target


@settings(max_examples=60, deadline=None)
@given(
    data=st.data(),
    calendar_pair=calendars(),
    start=st.integers(0, 14 * 24 * 60),
    length=st.integers(0, 20 * 24 * 60),
    ongoing=st.booleans(),
)
def test_elapsed_matches_the_reference_with_closed_and_ongoing_pauses(
    data: st.DataObject,
    calendar_pair: tuple[BusinessCalendar, Reference],
    start: int,
    length: int,
    ongoing: bool,
) -> None:
    calendar, reference = calendar_pair
    pauses = data.draw(pause_lists(start))
    end = minute(start + length)
    if ongoing:
        last_end = max([p[1] for p in pauses if p[1] is not None], default=minute(start))
        begin = max(last_end, minute(start))
        if begin < end:
            pauses.append((begin, None))  # the conversation is waiting for the customer right now
    expected = reference.elapsed(minute(start), end, pauses)
    assert arithmetic.elapsed(calendar, minute(start), end, pauses) == expected


def test_seeded_style_calendar_examples() -> None:
    """Mon-Fri 08-12 and 13-18, Saturday 08-12, Christmas closed (the defaults the company starts with)."""
    weekly: dict[int, tuple[Interval, ...]] = {d: ((480, 720), (780, 1080)) for d in range(5)}
    weekly[5] = ((480, 720),)
    calendar = BusinessCalendar(tz=SAO_PAULO, weekly=weekly, closed=frozenset({date(2026, 12, 25)}))

    def local(day: int, hour: int, minute_: int = 0) -> datetime:
        return datetime(2026, 12, day, hour, minute_, tzinfo=SAO_PAULO).astimezone(UTC)

    # Over lunch: 11:30 + 60 min -> 13:30.
    assert arithmetic.deadline(calendar, local(1, 11, 30), 60) == local(1, 13, 30)
    # Over the night: Tuesday 17:30 + 60 -> Wednesday 08:30.
    assert arithmetic.deadline(calendar, local(1, 17, 30), 60) == local(2, 8, 30)
    # Over the weekend: Saturday 11:00 + 120 -> Monday 09:00.
    assert arithmetic.deadline(calendar, local(5, 11), 120) == local(7, 9)
    # Over Christmas (a Friday): Thursday 17:00 + 120 -> Saturday 09:00.
    assert arithmetic.deadline(calendar, local(24, 17), 120) == local(26, 9)
    # A pause of one business hour (Tuesday 09:00-10:00) moves the deadline by one hour.
    pauses: list[tuple[datetime, datetime | None]] = [(local(1, 9), local(1, 10))]
    assert arithmetic.deadline(calendar, local(1, 8), 120, pauses) == local(1, 11)
    # A pause that starts after the deadline changes nothing.
    assert arithmetic.deadline(calendar, local(1, 8), 60, [(local(1, 10), local(1, 11))]) == local(1, 9)
    # A pause overnight costs only its open minutes: Tuesday 17:00 to Wednesday 09:00 is 120.
    overnight: list[tuple[datetime, datetime | None]] = [(local(1, 17), local(2, 9))]
    assert arithmetic.elapsed(calendar, local(1, 16), local(2, 10), overnight) == 120
