"""Jobs used by the worker tests. Their side effect is a heartbeat row (a table every context has),
so the tests need no tables of their own."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from carinho.integracoes.database import Heartbeat
from carinho.kit.clock import utcnow
from carinho.worker import Lane, job


async def record_run(session: AsyncSession, key: str, **extra: Any) -> None:
    row = await session.get(Heartbeat, f"job:{key}")
    if row is None:
        session.add(Heartbeat(name=f"job:{key}", beat_at=utcnow(), details={"runs": 1, **extra}))
    else:
        row.details = {**row.details, "runs": row.details["runs"] + 1, **extra}
        row.beat_at = utcnow()


@job("tests.touch", context="integracoes", lane=Lane.integrations)
async def touch(session: AsyncSession, key: str) -> None:
    await record_run(session, key, ran_at=utcnow().isoformat())


@job("tests.fail_times", context="integracoes", lane=Lane.integrations, max_attempts=3)
async def fail_times(session: AsyncSession, key: str, failures: int, counter: str) -> None:
    """Fails its first `failures` attempts (counted in a file, outside any transaction)."""
    path = Path(counter)
    attempt = int(path.read_text()) + 1 if path.exists() else 1
    path.write_text(str(attempt))
    await record_run(session, key)  # written, then rolled back when the attempt fails
    if attempt <= failures:
        raise RuntimeError(f"planned failure {attempt} of {failures}")


# A long time limit: a dead worker's run comes back after the short claim lease, not after this.
@job("tests.wait_for_file", context="integracoes", lane=Lane.integrations, time_limit_seconds=600)
async def wait_for_file(session: AsyncSession, key: str, started: str, release: str) -> None:
    """Signals that it started, then holds until the test releases it (or the process is killed)."""
    Path(started).write_text(str(os.getpid()))
    while not Path(release).exists():
        await asyncio.sleep(0.05)
    await record_run(session, key, pid=os.getpid())
