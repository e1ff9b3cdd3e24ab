"""Retry schedules (ARCHITECTURE §4, invariant 4): a wait per retry, with jitter, that honours
`Retry-After` and slows down after overload signals (429, timeouts), like Svix."""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime

from carinho.kit.clock import utcnow

OVERLOAD_PENALTY_SECONDS = 60
MAX_RETRY_AFTER_SECONDS = 24 * 3600
MAX_SCHEDULE_SECONDS = 7 * 24 * 3600


def parse_schedule(value: str | Sequence[int]) -> list[int]:
    """ "5,300,1800" or [5, 300, 1800] -> seconds before each retry."""
    if isinstance(value, str):
        items = [part.strip() for part in value.split(",") if part.strip()]
        seconds = [int(float(item)) for item in items]
    else:
        seconds = [int(item) for item in value]
    if any(s < 0 or s > MAX_SCHEDULE_SECONDS for s in seconds):
        raise ValueError(f"retry waits must be between 0 and {MAX_SCHEDULE_SECONDS} seconds")
    return seconds


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """`Retry-After` as delta-seconds or an HTTP date; None when absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or utcnow())).total_seconds())


def next_retry_delay(
    schedule: Sequence[int],
    retries_done: int,
    *,
    jitter: float = 0.2,
    retry_after: float | None = None,
    overloaded: bool = False,
) -> timedelta | None:
    """The wait before retry number `retries_done + 1`, or None when the schedule is exhausted."""
    if retries_done >= len(schedule):
        return None
    seconds = schedule[retries_done] * random.uniform(1 - jitter, 1 + jitter)
    if overloaded:
        seconds = max(seconds, OVERLOAD_PENALTY_SECONDS)
    if retry_after is not None:
        seconds = max(seconds, min(retry_after, MAX_RETRY_AFTER_SECONDS))
    return timedelta(seconds=seconds)
