"""The periodic pruning of `live_changes`; importing this module also installs the recorder (every
process imports it through carinho.atendimento.tasks)."""

from __future__ import annotations

from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from carinho.atendimento.live import recorder
from carinho.atendimento.live.models import RETAIN, LiveChange
from carinho.kit.clock import utcnow
from carinho.worker import Lane, job
from carinho.worker.scheduler import periodic

PRUNE_JOB = "atendimento.live.prune_changes"


async def prune(session: AsyncSession) -> int:
    """Delete the changes older than `RETAIN`, but never the newest one: a browser that saw the last
    change resumes after a quiet spell instead of reloading (feed.py); returns how many."""
    newest = (await session.execute(select(func.max(LiveChange.id)))).scalar()
    if newest is None:
        return 0
    result = await session.execute(
        delete(LiveChange).where(LiveChange.created_at < utcnow() - RETAIN, LiveChange.id < newest)
    )
    return int(getattr(result, "rowcount", 0) or 0)


@job(PRUNE_JOB, context="atendimento", lane=Lane.atendimento_low, max_attempts=1, time_limit_seconds=60)
async def prune_changes(session: AsyncSession) -> None:
    await prune(session)


periodic("atendimento.live.prune_changes", PRUNE_JOB, IntervalTrigger(minutes=1))

__all__ = ["PRUNE_JOB", "prune", "prune_changes", "recorder"]
