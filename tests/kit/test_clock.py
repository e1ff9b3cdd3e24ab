"""kit.clock: an offset from the real time, or frozen for tests whose steps must take no time."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from carinho.kit import clock

OFFSET = timedelta(days=3, hours=2)


@pytest.fixture(autouse=True)
def _reset() -> Iterator[None]:
    clock.reset()
    yield
    clock.reset()


def between(before: datetime, value: datetime, after: datetime) -> bool:
    return before <= value <= after


def test_an_offset_clock_keeps_running() -> None:
    clock.set_offset(OFFSET)
    before = datetime.now(UTC)
    first = clock.utcnow()
    assert between(before + OFFSET, first, datetime.now(UTC) + OFFSET)
    while clock.utcnow() == first:
        pass  # the real clock ticks on, and ours with it
    assert clock.utcnow() > first


def test_a_frozen_clock_moves_only_when_told() -> None:
    before = datetime.now(UTC)
    clock.freeze()
    stopped = clock.utcnow()
    assert between(before, stopped, datetime.now(UTC))
    while datetime.now(UTC) == stopped:
        pass
    assert clock.utcnow() == stopped  # the real clock moved, ours did not
    clock.advance(timedelta(seconds=5))
    assert clock.utcnow() == stopped + timedelta(seconds=5)

    before = datetime.now(UTC)
    clock.set_offset(OFFSET)  # what the tests' freeze_at does: stopped at real time + offset
    at = clock.utcnow()
    assert between(before + OFFSET, at, datetime.now(UTC) + OFFSET)
    assert clock.utcnow() == at

    clock.reset()
    before = datetime.now(UTC)
    assert between(before, clock.utcnow(), datetime.now(UTC))  # the real time again


def test_a_shared_offset_reaches_another_process(tmp_path: Path) -> None:
    """`carinho up`'s system processes map one file: the sandbox's clock moves theirs."""
    path = tmp_path / "clock.offset"
    mover = "from datetime import timedelta; from pathlib import Path; from carinho.kit import clock; "
    mover += f"clock.share(Path({str(path)!r}), reset=True); clock.set_offset(timedelta(days=3))"
    subprocess.run([sys.executable, "-c", mover], check=True)
    reader = "from pathlib import Path; from carinho.kit import clock; "
    reader += f"clock.share(Path({str(path)!r})); print(clock.utcnow().isoformat())"
    before = datetime.now(UTC)
    out = subprocess.run([sys.executable, "-c", reader], check=True, capture_output=True, text=True)
    seen = datetime.fromisoformat(out.stdout.strip())
    assert between(before + timedelta(days=3), seen, datetime.now(UTC) + timedelta(days=3))
