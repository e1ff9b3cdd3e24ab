"""Retries: the one mechanism, and every named retry schedule of the platform.

The mechanism: a schedule gives the wait before each retry, either a fixed list of waits or an
exponential backoff with a ceiling, optionally with ±jitter; a `Retry-After` the other side sent is
honoured (up to a day), and overload signals (429, timeouts) get at least a minute, like Svix.

The named schedules (the functions at the end) say what is retried; each reads its settings
(config.py, "Retry schedules"). Which layer retries each job, the outbox or the domain, never both:
docs/arquitetura.md, "Retries".
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING

from carinho.kit.clock import utcnow

if TYPE_CHECKING:
    from carinho.config import Settings

OVERLOAD_PENALTY_SECONDS = 60
MAX_RETRY_AFTER_SECONDS = 24 * 3600
MAX_SCHEDULE_SECONDS = 7 * 24 * 3600
_MAX_DOUBLINGS = 64  # beyond this every exponential schedule is at its ceiling


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


@dataclass(frozen=True, kw_only=True)
class Schedule:
    jitter: float = 0.0  # each wait is multiplied by a random factor in [1 - jitter, 1 + jitter]

    def base_seconds(self, retries_done: int) -> float | None:
        """The wait before retry number `retries_done + 1`, before jitter; None when exhausted."""
        raise NotImplementedError

    def delay(
        self, retries_done: int, *, retry_after: float | None = None, overloaded: bool = False
    ) -> timedelta | None:
        """The wait before retry number `retries_done + 1`, or None when the schedule is exhausted."""
        seconds = self.base_seconds(retries_done)
        if seconds is None:
            return None
        if self.jitter:
            seconds *= random.uniform(1 - self.jitter, 1 + self.jitter)
        if overloaded:
            seconds = max(seconds, OVERLOAD_PENALTY_SECONDS)
        if retry_after is not None:
            seconds = max(seconds, min(retry_after, MAX_RETRY_AFTER_SECONDS))
        return timedelta(seconds=seconds)


@dataclass(frozen=True, kw_only=True)
class FixedSchedule(Schedule):
    waits: tuple[float, ...]
    repeat_last: bool = False  # after the list, its last wait again and again (never exhausted)

    def base_seconds(self, retries_done: int) -> float | None:
        if retries_done < len(self.waits):
            return self.waits[retries_done]
        return self.waits[-1] if self.repeat_last and self.waits else None


@dataclass(frozen=True, kw_only=True)
class ExponentialSchedule(Schedule):
    """first, first × factor, first × factor² ... up to max_seconds, never exhausted."""

    first_seconds: float
    max_seconds: float
    factor: float = 2.0

    def base_seconds(self, retries_done: int) -> float | None:
        return min(self.first_seconds * self.factor ** min(retries_done, _MAX_DOUBLINGS), self.max_seconds)


def _fixed(waits: str | Sequence[int], *, jitter: float = 0.0, repeat_last: bool = False) -> FixedSchedule:
    return FixedSchedule(waits=tuple(parse_schedule(waits)), jitter=jitter, repeat_last=repeat_last)


# The named schedules: one per thing retried. The limit of attempts, where there is one, stays with
# the domain that owns the retry (the schedule's waits end, or its MAX_*_ATTEMPTS is reached).


def outbox_jobs(settings: Settings) -> Schedule:
    """A job run that raised, retried by the outbox up to the job's `max_attempts`."""
    return ExponentialSchedule(
        first_seconds=settings.outbox_retry_first_seconds,
        max_seconds=settings.outbox_retry_max_seconds,
        jitter=settings.outbox_retry_jitter,
    )


def event_steps(settings: Settings) -> Schedule:
    """A hub event whose step failed: its next run; exhausted, the event goes to the DLQ."""
    return _fixed(settings.event_retry_schedule_seconds, jitter=settings.webhook_retry_jitter)


def webhook_deliveries(settings: Settings, endpoint_waits: Sequence[int] | None = None) -> Schedule:
    """An outbound webhook delivery: the endpoint's own waits, else the default; then the DLQ."""
    waits = settings.webhook_retry_schedule_seconds if endpoint_waits is None else endpoint_waits
    return _fixed(waits, jitter=settings.webhook_retry_jitter)


def whatsapp_sends(settings: Settings) -> Schedule:
    """A WhatsApp message Z-API failed to take (atendimento, inbox/sending.py)."""
    return _fixed(settings.whatsapp_send_retry_schedule_seconds, repeat_last=True)


def emergency_deliveries(settings: Settings) -> Schedule:
    """An emergency operação has not taken yet (atendimento, incidents/delivery.py)."""
    return _fixed(settings.emergency_delivery_retry_schedule_seconds, repeat_last=True)


def escalation_reports(settings: Settings) -> Schedule:
    """An escalation operação has not taken yet (atendimento, escalation/tasks.py)."""
    return ExponentialSchedule(
        first_seconds=settings.escalation_report_retry_first_seconds,
        max_seconds=settings.escalation_report_retry_max_seconds,
    )


def document_emails(settings: Settings) -> Schedule:
    """A proposal or contract e-mail the mail server refused (atendimento, funnel/tasks.py)."""
    return _fixed(settings.document_email_retry_schedule_seconds, repeat_last=True)
