"""The hub's daily retention run: one batch per job on the low-priority lane, each batch enqueuing
the next, so a crash resumes from the last committed batch."""

from __future__ import annotations

from apscheduler.triggers.cron import CronTrigger
from sqlalchemy.ext.asyncio import AsyncSession

from carinho.integracoes.privacy.service import RETENTION_JOB, hub_privacy_service
from carinho.worker import Lane, job
from carinho.worker.scheduler import periodic


@job(RETENTION_JOB, context="integracoes", lane=Lane.integrations_low, max_attempts=5, time_limit_seconds=300)
async def retention_batch(
    session: AsyncSession, cutoff: str | None = None, after_id: int = 0, total: int = 0
) -> None:
    await hub_privacy_service.retention_batch(session, cutoff=cutoff, after_id=after_id, total=total)


# 03:37 in São Paulo: quiet, and apart from atendimento's own run (03:17).
periodic(
    "integracoes.retention_daily",
    RETENTION_JOB,
    CronTrigger(hour=3, minute=37, timezone="America/Sao_Paulo"),
)
