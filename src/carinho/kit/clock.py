"""The one source of "now" (UTC, aware). Tests and demos shift it with `set_offset`."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

_offset = timedelta(0)


def utcnow() -> datetime:
    return datetime.now(UTC) + _offset


def set_offset(offset: timedelta) -> None:
    global _offset
    _offset = offset


def advance(delta: timedelta) -> None:
    set_offset(_offset + delta)


def reset() -> None:
    set_offset(timedelta(0))
