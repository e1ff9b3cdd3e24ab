"""The metrics' pure arithmetic: the one-pass queue wait in business time, percentiles, hours."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from carinho.atendimento.metrics.arithmetic import hour_floor, open_minutes_until, p90
from carinho.atendimento.working_hours.calendar import BusinessCalendar

# The seeded schedule (Mon-Fri 08-12 and 13-18, Sat 08-12), a holiday, and a night shift on Sunday
# that crosses midnight (22:00-24:00 then Monday 00:00-02:00 merge into one window).
CALENDAR = BusinessCalendar(
    tz=ZoneInfo("America/Sao_Paulo"),
    weekly={
        0: ((0, 120), (480, 720), (780, 1080)),
        1: ((480, 720), (780, 1080)),
        2: ((480, 720), (780, 1080)),
        3: ((480, 720), (780, 1080)),
        4: ((480, 720), (780, 1080)),
        5: ((480, 720),),
        6: ((1320, 1440),),
    },
    closed=frozenset({date(2026, 12, 25)}),
)
BASE = datetime(2026, 12, 20, 12, 0, tzinfo=UTC)


@settings(max_examples=200, deadline=None)
@given(
    offsets=st.lists(st.integers(min_value=0, max_value=14 * 24 * 60), min_size=1, max_size=30),
    end_offset=st.integers(min_value=0, max_value=14 * 24 * 60),
)
def test_one_pass_equals_the_calendar_for_each_start(offsets: list[int], end_offset: int) -> None:
    starts = sorted(BASE + timedelta(minutes=m, seconds=17) for m in offsets)
    end = BASE + timedelta(minutes=end_offset)
    expected = [round(CALENDAR.business_minutes_between(s, end), 2) for s in starts]
    assert open_minutes_until(CALENDAR, starts, end) == expected


def test_nearest_rank_p90_and_hour_floor() -> None:
    assert p90([]) is None
    assert p90([7.0]) == 7.0
    assert p90([float(v) for v in range(1, 11)]) == 9.0  # 90 % of ten values are <= 9
    assert p90([float(v) for v in range(1, 12)]) == 10.0  # ceil(9.9) = 10th of eleven
    moment = datetime(2026, 12, 1, 13, 59, 59, 999, tzinfo=UTC)
    assert hour_floor(moment) == datetime(2026, 12, 1, 13, tzinfo=UTC)
