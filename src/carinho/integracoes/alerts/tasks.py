"""The scheduler evaluates the alert rules every ALERTS_EVALUATE_INTERVAL_SECONDS (30 s; on the high
lane: a backed-up default lane must not delay the alert about it)."""

from __future__ import annotations

from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy.ext.asyncio import AsyncSession

from carinho.config import Settings
from carinho.integracoes.alerts import notify  # noqa: F401  (registers the notification jobs)
from carinho.integracoes.alerts.service import alert_service
from carinho.worker import Lane, job
from carinho.worker.scheduler import periodic

EVALUATE_JOB = "integracoes.alerts_evaluate"


@job(EVALUATE_JOB, context="integracoes", lane=Lane.integrations_high, max_attempts=1, time_limit_seconds=60)
async def evaluate_alerts(session: AsyncSession) -> None:
    await alert_service.evaluate(session)


def _every(settings: Settings) -> IntervalTrigger:
    return IntervalTrigger(seconds=settings.alerts_evaluate_interval_seconds)


periodic("integracoes.alerts_evaluate", EVALUATE_JOB, _every)
