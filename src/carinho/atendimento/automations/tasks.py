from __future__ import annotations

from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy.ext.asyncio import AsyncSession

from carinho.atendimento.automations.service import automation_service
from carinho.worker import Lane, job
from carinho.worker.scheduler import periodic

SCAN_JOB = "atendimento.run_timed_automations"


@job(SCAN_JOB, context="atendimento", lane=Lane.atendimento, max_attempts=1, time_limit_seconds=120)
async def run_timed_automations(session: AsyncSession) -> None:
    await automation_service.run_scheduled(session)


periodic("atendimento.run_timed_automations", SCAN_JOB, IntervalTrigger(minutes=1))
