"""The one source of "now" (UTC, aware). Tests and demos shift it with `set_offset`; tests whose steps
must take no time `freeze` it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

_offset = timedelta(0)
_frozen_at: datetime | None = None


def utcnow() -> datetime:
    if _frozen_at is not None:
        return _frozen_at
    return datetime.now(UTC) + _offset


def set_offset(offset: timedelta) -> None:
    """Now is the real time plus `offset` (a frozen clock stops at that instant)."""
    global _offset, _frozen_at
    _offset = offset
    if _frozen_at is not None:
        _frozen_at = datetime.now(UTC) + offset


def advance(delta: timedelta) -> None:
    global _offset, _frozen_at
    _offset += delta
    if _frozen_at is not None:
        _frozen_at += delta


def freeze() -> None:
    """Stop the clock where it is: it moves only when told (`set_offset`, `advance`), until `reset`.
    For tests that expect nothing to come due between their steps (a retry 5 s away, an SLA measured
    to the second), however slowly a busy machine runs them."""
    global _frozen_at
    _frozen_at = utcnow()


def reset() -> None:
    global _offset, _frozen_at
    _offset = timedelta(0)
    _frozen_at = None
