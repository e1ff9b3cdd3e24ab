"""Jobs and periodic jobs of the satisfaction package."""

from __future__ import annotations

from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy.ext.asyncio import AsyncSession

from carinho.atendimento.satisfaction.service import SEND_JOB, satisfaction_service
from carinho.worker import Lane, job
from carinho.worker.scheduler import periodic

REMINDER_JOB = "atendimento.remind_satisfaction_surveys"


@job(SEND_JOB, context="atendimento", lane=Lane.notifications, max_attempts=3, time_limit_seconds=60)
async def send_satisfaction_survey(session: AsyncSession, survey_id: int) -> None:
    await satisfaction_service.send(session, survey_id)


@job(REMINDER_JOB, context="atendimento", lane=Lane.atendimento, max_attempts=1, time_limit_seconds=120)
async def remind_satisfaction_surveys(session: AsyncSession) -> None:
    await satisfaction_service.send_reminders(session)


periodic("atendimento.remind_satisfaction_surveys", REMINDER_JOB, IntervalTrigger(minutes=10))
