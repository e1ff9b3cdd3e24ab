"""The retry mechanism (kit/retry.py): fixed and exponential schedules, jitter, `Retry-After`, and
the named schedules read from their settings with today's defaults."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from carinho.config import Settings
from carinho.kit import retry
from carinho.kit.retry import (
    MAX_RETRY_AFTER_SECONDS,
    OVERLOAD_PENALTY_SECONDS,
    ExponentialSchedule,
    FixedSchedule,
    parse_retry_after,
    parse_schedule,
)


def seconds(delay: timedelta | None) -> float | None:
    return None if delay is None else delay.total_seconds()


def test_a_fixed_schedule_gives_its_waits_in_order_then_ends() -> None:
    schedule = FixedSchedule(waits=(5, 300, 1800))
    assert [seconds(schedule.delay(n)) for n in range(4)] == [5, 300, 1800, None]


def test_a_fixed_schedule_that_repeats_its_last_wait_never_ends() -> None:
    schedule = FixedSchedule(waits=(30, 120), repeat_last=True)
    assert [seconds(schedule.delay(n)) for n in (0, 1, 2, 50)] == [30, 120, 120, 120]


def test_an_empty_fixed_schedule_retries_nothing() -> None:
    assert FixedSchedule(waits=(), repeat_last=True).delay(0) is None


def test_an_exponential_schedule_doubles_up_to_its_ceiling() -> None:
    schedule = ExponentialSchedule(first_seconds=5, max_seconds=600)
    assert [seconds(schedule.delay(n)) for n in range(9)] == [5, 10, 20, 40, 80, 160, 320, 600, 600]
    assert seconds(schedule.delay(10_000)) == 600  # no overflow however many retries


def test_an_exponential_schedule_takes_its_factor() -> None:
    schedule = ExponentialSchedule(first_seconds=1, max_seconds=100, factor=3)
    assert [seconds(schedule.delay(n)) for n in range(6)] == [1, 3, 9, 27, 81, 100]


@given(retries_done=st.integers(min_value=0, max_value=30), jitter=st.floats(min_value=0, max_value=0.99))
def test_jitter_stays_within_its_bounds(retries_done: int, jitter: float) -> None:
    schedule = ExponentialSchedule(first_seconds=5, max_seconds=600, jitter=jitter)
    base = min(5 * 2**retries_done, 600)
    waited = seconds(schedule.delay(retries_done))
    assert waited is not None
    assert base * (1 - jitter) - 1e-9 <= waited <= base * (1 + jitter) + 1e-9


def test_jitter_spreads_the_waits() -> None:
    schedule = FixedSchedule(waits=(100,), jitter=0.2)
    waits = {seconds(schedule.delay(0)) for _ in range(50)}
    assert len(waits) > 1


def test_retry_after_is_honoured_when_longer_than_the_schedule() -> None:
    schedule = FixedSchedule(waits=(5, 300))
    assert seconds(schedule.delay(0, retry_after=120)) == 120
    assert seconds(schedule.delay(1, retry_after=120)) == 300  # never shorter than the schedule
    assert seconds(schedule.delay(0, retry_after=0)) == 5


def test_retry_after_is_capped_at_a_day() -> None:
    schedule = ExponentialSchedule(first_seconds=10, max_seconds=600)
    assert seconds(schedule.delay(0, retry_after=30 * 24 * 3600)) == MAX_RETRY_AFTER_SECONDS


def test_retry_after_does_not_revive_an_exhausted_schedule() -> None:
    assert FixedSchedule(waits=(5,)).delay(1, retry_after=60) is None


def test_an_overloaded_target_waits_at_least_the_penalty() -> None:
    schedule = FixedSchedule(waits=(5, 3600))
    assert seconds(schedule.delay(0, overloaded=True)) == OVERLOAD_PENALTY_SECONDS
    assert seconds(schedule.delay(1, overloaded=True)) == 3600


def test_parse_retry_after_reads_seconds_and_http_dates() -> None:
    now = datetime(2026, 3, 2, 12, 0, 0, tzinfo=UTC)
    assert parse_retry_after("120") == 120.0
    assert parse_retry_after(" 7 ") == 7.0
    assert parse_retry_after("Mon, 02 Mar 2026 12:01:30 GMT", now=now) == 90.0
    assert parse_retry_after("Mon, 02 Mar 2026 11:00:00 GMT", now=now) == 0.0  # in the past
    assert parse_retry_after("Mon, 02 Mar 2026 12:00:10 -0000", now=now) == 10.0  # naive: UTC
    assert parse_retry_after("soon", now=now) is None
    assert parse_retry_after("", now=now) is None
    assert parse_retry_after(None) is None


def test_parse_schedule_reads_lists_and_refuses_waits_out_of_range() -> None:
    assert parse_schedule("5, 300,1800,") == [5, 300, 1800]
    assert parse_schedule([5, 60]) == [5, 60]
    assert parse_schedule("") == []
    with pytest.raises(ValueError):
        parse_schedule("5,-1")
    with pytest.raises(ValueError):
        parse_schedule([8 * 24 * 3600])


def test_the_named_schedules_keep_todays_waits() -> None:
    settings = Settings(_env_file=None)
    plain = settings.model_copy(update={"webhook_retry_jitter": 0.0, "outbox_retry_jitter": 0.0})

    def waits(schedule: retry.Schedule, count: int) -> list[float | None]:
        return [seconds(schedule.delay(n)) for n in range(count)]

    assert waits(retry.outbox_jobs(plain), 9) == [5, 10, 20, 40, 80, 160, 320, 600, 600]
    assert waits(retry.event_steps(plain), 6) == [10, 60, 300, 1800, 7200, None]
    assert waits(retry.webhook_deliveries(plain), 8) == [5, 300, 1800, 7200, 18000, 36000, 36000, None]
    assert waits(retry.webhook_deliveries(plain, [1, 2]), 3) == [1, 2, None]
    assert waits(retry.whatsapp_sends(settings), 5) == [30, 120, 600, 1800, 1800]
    assert waits(retry.emergency_deliveries(settings), 9) == [5, 15, 30, 60, 120, 300, 600, 600, 600]
    assert waits(retry.escalation_reports(settings), 8) == [10, 20, 40, 80, 160, 320, 600, 600]
    assert waits(retry.document_emails(settings), 4) == [120, 240, 480, 960]
    # The defaults' jitter: the outbox's and the webhooks' ±20 %.
    assert settings.outbox_retry_jitter == settings.webhook_retry_jitter == 0.2


def test_a_bad_schedule_setting_stops_the_start() -> None:
    with pytest.raises(ValidationError):
        Settings(_env_file=None, event_retry_schedule_seconds="10,soon")
    with pytest.raises(ValidationError):
        Settings(_env_file=None, emergency_delivery_retry_schedule_seconds="")
    assert Settings(_env_file=None, event_retry_schedule_seconds="").event_retry_schedule_seconds == ""
