"""Jobs and periodic jobs of the metrics package."""

from __future__ import annotations

from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy.ext.asyncio import AsyncSession

from carinho.atendimento.metrics.service import metrics_service
from carinho.worker import Lane, job
from carinho.worker.scheduler import periodic

ROLL_UP_JOB = "atendimento.metrics.roll_up_message_hours"


@job(ROLL_UP_JOB, context="atendimento", lane=Lane.atendimento_low, max_attempts=1, time_limit_seconds=120)
async def roll_up_message_hours(session: AsyncSession) -> None:
    await metrics_service.roll_up_message_hours(session)


periodic("atendimento.metrics.roll_up_message_hours", ROLL_UP_JOB, IntervalTrigger(minutes=5))
