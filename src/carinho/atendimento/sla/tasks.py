"""Jobs and periodic jobs of the sla package."""

from __future__ import annotations

from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy.ext.asyncio import AsyncSession

from carinho.atendimento.sla import operational
from carinho.atendimento.sla.monitor import run_monitor
from carinho.worker import Lane, job
from carinho.worker.scheduler import periodic

MONITOR_JOB = "atendimento.sla_monitor"


@job(MONITOR_JOB, context="atendimento", lane=Lane.atendimento, max_attempts=1, time_limit_seconds=120)
async def sla_monitor(session: AsyncSession) -> None:
    """SLA targets at risk and breached, then the backlog and send-failure alerts."""
    await run_monitor(session)
    await operational.check(session)


periodic("atendimento.sla_monitor", MONITOR_JOB, IntervalTrigger(minutes=1))
