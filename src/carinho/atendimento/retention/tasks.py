"""Jobs and periodic jobs of the retention package: a daily anonymisation run, one batch per job
on the low-priority lane, and the audit scrub of a conversation that ended after it expired."""

from __future__ import annotations

from apscheduler.triggers.cron import CronTrigger
from sqlalchemy.ext.asyncio import AsyncSession

from carinho.atendimento.retention import hub_erase
from carinho.atendimento.retention.service import (
    RUN_STEP_JOB,
    SCRUB_CONVERSATION_AUDIT_JOB,
    retention_service,
)
from carinho.worker import Lane, job
from carinho.worker.scheduler import periodic

DAILY_RUN_JOB = "atendimento.retention_daily"


@job(DAILY_RUN_JOB, context="atendimento", lane=Lane.atendimento_low, max_attempts=3, time_limit_seconds=60)
async def start_daily_run(session: AsyncSession) -> None:
    run = await retention_service.start_run(session, trigger="schedule")
    await retention_service.schedule_step(session, run)
    await hub_erase.resend_given_up(session)


@job(
    hub_erase.HUB_ERASE_JOB,
    context="atendimento",
    lane=Lane.atendimento_low,
    max_attempts=40,  # ~5 hours of backoff; then the daily run enqueues it again
    time_limit_seconds=300,
)
async def pass_erase_to_hub(session: AsyncSession, request_id: int, kind: str, value: str) -> None:
    await hub_erase.run(session, request_id, kind, value)


@job(RUN_STEP_JOB, context="atendimento", lane=Lane.atendimento_low, max_attempts=5, time_limit_seconds=300)
async def run_step(session: AsyncSession, run_id: int) -> None:
    run = await retention_service.advance(session, run_id)
    if run is not None:
        await retention_service.schedule_step(session, run)


@job(
    SCRUB_CONVERSATION_AUDIT_JOB,
    context="atendimento",
    lane=Lane.atendimento_low,
    max_attempts=3,
    time_limit_seconds=120,
)
async def scrub_conversation_audit(session: AsyncSession, conversation_id: int) -> None:
    await retention_service.scrub_conversation_audit(session, conversation_id)


# 03:17 in São Paulo: the quietest hour, off the round minutes other jobs use.
periodic(
    "atendimento.retention_daily", DAILY_RUN_JOB, CronTrigger(hour=3, minute=17, timezone="America/Sao_Paulo")
)
