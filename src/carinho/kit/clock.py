"""The one source of "now" (UTC, aware). Tests and demos shift it with `set_offset`; tests whose steps
must take no time `freeze` it.

`share(path)`: processes that map the same file share the offset (`carinho up` with one process per
system: the sandbox's `/_sandbox/clock` moves the clock of the hub and of atendimento too). A frozen
clock stays the freezing process's own (tests freeze in-process).
"""

from __future__ import annotations

import mmap
import os
import struct
from datetime import UTC, datetime, timedelta
from pathlib import Path

_offset = timedelta(0)
_frozen_at: datetime | None = None
_shared: mmap.mmap | None = None
_FORMAT = "d"  # the offset in seconds, a float64 at the start of the file
_SIZE = struct.calcsize(_FORMAT)


def share(path: Path, *, reset: bool = False) -> None:
    """Keep the offset in `path` (created if missing), shared by every process that maps it; `reset`
    starts it at zero (the process that starts the others)."""
    global _shared
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        if reset or os.fstat(fd).st_size < _SIZE:
            os.ftruncate(fd, 0)
            os.ftruncate(fd, _SIZE)
        _shared = mmap.mmap(fd, _SIZE)
    finally:
        os.close(fd)


def _current_offset() -> timedelta:
    if _shared is None:
        return _offset
    return timedelta(seconds=struct.unpack_from(_FORMAT, _shared)[0])


def _store_offset(offset: timedelta) -> None:
    global _offset
    _offset = offset
    if _shared is not None:
        struct.pack_into(_FORMAT, _shared, 0, offset.total_seconds())


def utcnow() -> datetime:
    if _frozen_at is not None:
        return _frozen_at
    return datetime.now(UTC) + _current_offset()


def set_offset(offset: timedelta) -> None:
    """Now is the real time plus `offset` (a frozen clock stops at that instant)."""
    global _frozen_at
    _store_offset(offset)
    if _frozen_at is not None:
        _frozen_at = datetime.now(UTC) + offset


def advance(delta: timedelta) -> None:
    global _frozen_at
    _store_offset(_current_offset() + delta)
    if _frozen_at is not None:
        _frozen_at += delta


def freeze() -> None:
    """Stop the clock where it is: it moves only when told (`set_offset`, `advance`), until `reset`.
    For tests that expect nothing to come due between their steps (a retry 5 s away, an SLA measured
    to the second), however slowly a busy machine runs them."""
    global _frozen_at
    _frozen_at = utcnow()


def reset() -> None:
    global _frozen_at
    _store_offset(timedelta(0))
    _frozen_at = None
