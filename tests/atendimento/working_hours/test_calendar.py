"""Business-time arithmetic against a minute-by-minute reference model (hypothesis), plus examples
around nights, weekends, lunch breaks, holidays and company dates in São Paulo time."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from carinho.atendimento.working_hours.calendar import BusinessCalendar, Interval, validate_intervals
from carinho.atendimento.working_hours.holidays_provider import HolidayDates

SP = ZoneInfo("America/Sao_Paulo")
MINUTE = timedelta(minutes=1)
START = datetime(2026, 2, 9, 3, 0, tzinfo=UTC)  # Monday 00:00 in São Paulo (UTC-3, no DST)


def local(y: int, m: int, d: int, hh: int, mm: int = 0) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=SP)


SEEDED = BusinessCalendar(
    tz=SP,
    weekly={d: ((480, 720), (780, 1080)) for d in range(5)} | {5: ((480, 720),)},
    closed=HolidayDates("SP", None, ()),
)


# ------------------------------------------------------------------ reference model


class Reference:
    """The obvious, slow definition: walk minute by minute in local wall-clock time."""

    def __init__(self, calendar: BusinessCalendar) -> None:
        self.calendar = calendar

    def open_at(self, instant: datetime) -> bool:
        wall = instant.astimezone(SP)
        minute = wall.hour * 60 + wall.minute
        return any(s <= minute < e for s, e in self.calendar.intervals_on(wall.date()))

    def between(self, a: datetime, b: datetime) -> int:
        count, t = 0, a
        while t < b:
            count += self.open_at(t)
            t += MINUTE
        return count

    def add(self, a: datetime, minutes: int) -> datetime:
        t, left = a, minutes
        while left:
            if self.open_at(t):
                left -= 1
            t += MINUTE
        return t

    def next_opening(self, a: datetime, limit_days: int = 30) -> datetime | None:
        t = a
        while t < a + timedelta(days=limit_days):
            if self.open_at(t):
                return t
            t += MINUTE
        return None


# ------------------------------------------------------------------ strategies

boundaries = st.lists(st.integers(0, 48).map(lambda n: n * 30), min_size=2, max_size=6, unique=True)


@st.composite
def day_intervals(draw: st.DrawFn) -> tuple[Interval, ...]:
    points = sorted(draw(boundaries))
    if len(points) % 2:
        points = points[:-1]
    return validate_intervals([(points[i], points[i + 1]) for i in range(0, len(points), 2)])


@st.composite
def calendars(draw: st.DrawFn) -> BusinessCalendar:
    weekly = {day: draw(day_intervals()) for day in range(7)}
    if not any(weekly.values()):
        weekly[0] = ((540, 600),)
    closed = frozenset(
        draw(st.lists(st.integers(0, 20).map(lambda n: date(2026, 2, 9) + timedelta(days=n)), max_size=4))
    )
    special_days = draw(st.lists(st.integers(0, 20), max_size=2, unique=True))
    special = {date(2026, 2, 9) + timedelta(days=n): draw(day_intervals()) for n in special_days}
    return BusinessCalendar(tz=SP, weekly=weekly, closed=closed, special=special)


instants = st.integers(0, 10 * 24 * 60).map(lambda n: START + n * MINUTE)
FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FAST
@given(calendar=calendars(), a=instants, length=st.integers(0, 3 * 24 * 60))
def test_business_minutes_between_matches_the_reference(
    calendar: BusinessCalendar, a: datetime, length: int
) -> None:
    b = a + length * MINUTE
    assert calendar.business_minutes_between(a, b) == Reference(calendar).between(a, b)


@FAST
@given(calendar=calendars(), a=instants, minutes=st.integers(0, 1500))
def test_add_business_minutes_matches_the_reference(
    calendar: BusinessCalendar, a: datetime, minutes: int
) -> None:
    reference = Reference(calendar)
    if minutes and reference.next_opening(a, limit_days=40) is None:
        return
    expected = reference.add(a, minutes)
    assert calendar.add_business_minutes(a, minutes) == expected
    assert calendar.business_minutes_between(a, expected) == minutes


@FAST
@given(calendar=calendars(), a=instants)
def test_open_now_and_next_opening_match_the_reference(calendar: BusinessCalendar, a: datetime) -> None:
    reference = Reference(calendar)
    assert calendar.is_open(a) == reference.open_at(a)
    expected = reference.next_opening(a)
    if expected is not None:
        assert calendar.next_opening(a) == expected


# ------------------------------------------------------------------ examples (seeded schedule, SP holidays)


@pytest.mark.parametrize(
    ("start", "minutes", "expected"),
    [
        (local(2026, 12, 1, 10), 30, local(2026, 12, 1, 10, 30)),  # Tuesday morning
        (local(2026, 12, 1, 11, 30), 60, local(2026, 12, 1, 13, 30)),  # across lunch
        (local(2026, 12, 1, 17, 30), 60, local(2026, 12, 2, 8, 30)),  # across the night
        (local(2026, 12, 1, 22), 1, local(2026, 12, 2, 8, 1)),  # from a closed night
        (local(2026, 12, 4, 17, 30), 60, local(2026, 12, 5, 8, 30)),  # Friday -> Saturday morning
        (local(2026, 12, 5, 11, 30), 60, local(2026, 12, 7, 8, 30)),  # Saturday -> Monday (Sunday closed)
        (local(2026, 12, 24, 17, 30), 60, local(2026, 12, 26, 8, 30)),  # Natal (Friday) is a holiday
        (local(2026, 11, 19, 17), 120, local(2026, 11, 21, 9)),  # Consciência Negra (Fri 20/11)
        (local(2026, 7, 8, 17), 120, local(2026, 7, 10, 9)),  # 9 de Julho: São Paulo state holiday
    ],
)
def test_add_business_minutes_examples(start: datetime, minutes: int, expected: datetime) -> None:
    assert SEEDED.add_business_minutes(start, minutes) == expected.astimezone(UTC)


def test_minutes_between_over_a_weekend_and_a_holiday() -> None:
    friday = local(2026, 12, 4, 17)
    monday = local(2026, 12, 7, 9)
    assert SEEDED.business_minutes_between(friday, monday) == 60 + 240 + 60
    assert SEEDED.business_minutes_between(monday, friday) == 0
    christmas_eve = local(2026, 12, 24, 8)
    after = local(2026, 12, 26, 12)
    assert SEEDED.business_minutes_between(christmas_eve, after) == 540 + 240


def test_open_now_and_next_opening_examples() -> None:
    assert SEEDED.is_open(local(2026, 12, 1, 9))
    assert not SEEDED.is_open(local(2026, 12, 1, 12, 30))  # lunch
    assert not SEEDED.is_open(local(2026, 12, 25, 10))  # Natal
    assert SEEDED.next_opening(local(2026, 12, 1, 12, 30)) == local(2026, 12, 1, 13).astimezone(UTC)
    assert SEEDED.next_opening(local(2026, 12, 24, 20)) == local(2026, 12, 26, 8).astimezone(UTC)
    assert SEEDED.next_opening(local(2026, 12, 1, 9)) == local(2026, 12, 1, 9).astimezone(UTC)


def test_optional_holidays_close_only_when_configured() -> None:
    carnival_monday = local(2026, 2, 16, 10)
    assert SEEDED.is_open(carnival_monday)
    with_carnival = BusinessCalendar(
        tz=SP, weekly=SEEDED.weekly, closed=HolidayDates("SP", None, ("Carnaval",))
    )
    assert not with_carnival.is_open(carnival_monday)
    assert not with_carnival.is_open(local(2026, 2, 17, 10))
    assert with_carnival.is_open(local(2026, 2, 18, 10))  # Quarta-feira de Cinzas was not chosen


def test_a_city_adds_its_own_holidays() -> None:
    city = BusinessCalendar(tz=SP, weekly=SEEDED.weekly, closed=HolidayDates("SP", "São Paulo Capital", ()))
    assert not city.is_open(local(2027, 1, 25, 10))  # the city's anniversary (a Monday in 2027)
    assert SEEDED.is_open(local(2027, 1, 25, 10))
    assert not city.is_open(local(2026, 6, 4, 10))  # Corpus Christi is a holiday in the capital
    assert SEEDED.is_open(local(2026, 6, 4, 10))


def test_company_dates_override_holidays_and_the_week() -> None:
    calendar = BusinessCalendar(
        tz=SP,
        weekly=SEEDED.weekly,
        closed=frozenset({date(2026, 12, 1)}),
        special={date(2026, 12, 25): ((540, 720),), date(2026, 12, 6): ((600, 660),)},
    )
    assert not calendar.is_open(local(2026, 12, 1, 10))  # closure on a Tuesday
    assert calendar.is_open(local(2026, 12, 25, 10))  # special hours on Natal
    assert calendar.is_open(local(2026, 12, 6, 10, 30))  # and on a Sunday
    assert calendar.business_minutes_between(local(2026, 12, 6, 0), local(2026, 12, 7, 0)) == 60


def test_invalid_intervals_are_refused() -> None:
    with pytest.raises(ValueError):
        validate_intervals([(600, 540)])
    with pytest.raises(ValueError):
        validate_intervals([(480, 720), (700, 800)])
    with pytest.raises(ValueError):
        validate_intervals([(0, 1441)])
