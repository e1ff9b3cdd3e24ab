"""The daily backup: one job per context, on its low-priority lane, at 02:45 in São Paulo (before
the retention run at 03:17). Each keeps BACKUP_KEEP backups of its context; a failure is retried.
Each attempt's outcome is recorded for the hub's `backup_failed` alert (runs.py)."""

from __future__ import annotations

from typing import Any

from apscheduler.triggers.cron import CronTrigger
from sqlalchemy.ext.asyncio import AsyncSession

from carinho import runtime
from carinho.backups.runs import DAILY_ATTEMPTS, record_run
from carinho.backups.service import backup_context
from carinho.logging import get_logger
from carinho.worker import Lane, job
from carinho.worker.jobs import JobFn
from carinho.worker.scheduler import periodic

log = get_logger(__name__)

DAILY_JOBS = {"integracoes": "integracoes.backup_daily", "atendimento": "atendimento.backup_daily"}
_LANES = {"integracoes": Lane.integrations_low, "atendimento": Lane.atendimento_low}
DAILY_AT = {"hour": 2, "minute": 45}


def _daily_backup(context: str) -> JobFn:
    async def run(session: AsyncSession, **_: Any) -> None:
        settings = runtime.current().settings
        if not settings.backup_daily:
            return
        try:
            result = await backup_context(settings, context, keep=settings.backup_keep)
        except Exception as exc:
            error = f"{type(exc).__name__}: {exc}"
            log.error("backup.failed", context=context, error=error)
            await record_run(runtime.current(), context, ok=False, error=error)
            raise
        await record_run(runtime.current(), context, ok=True, file=result.path.name)

    run.__name__ = f"backup_{context}"
    return run


for _context, _name in DAILY_JOBS.items():
    job(_name, context=_context, lane=_LANES[_context], max_attempts=DAILY_ATTEMPTS, time_limit_seconds=3600)(
        _daily_backup(_context)
    )
    periodic(_name, _name, CronTrigger(**DAILY_AT, timezone="America/Sao_Paulo"))
