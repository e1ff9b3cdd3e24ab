"""The daily backup: one job per context, on its low-priority lane, at 02:45 in São Paulo (before
the retention run at 03:17). Each keeps BACKUP_KEEP backups of its context; a failure is retried.
Each attempt's outcome is recorded for the hub's `backup_failed` alert (runs.py)."""

from __future__ import annotations

from typing import Any

from apscheduler.triggers.cron import CronTrigger
from sqlalchemy.ext.asyncio import AsyncSession

from carinho import runtime
from carinho.backups.runs import DAILY_ATTEMPTS, backup_and_record
from carinho.worker import Lane, job
from carinho.worker.jobs import JobFn
from carinho.worker.scheduler import periodic

DAILY_JOBS = {"integracoes": "integracoes.backup_daily", "atendimento": "atendimento.backup_daily"}
_LANES = {"integracoes": Lane.integrations_low, "atendimento": Lane.atendimento_low}
DAILY_AT = {"hour": 2, "minute": 45}


def _daily_backup(context: str) -> JobFn:
    async def run(session: AsyncSession, **_: Any) -> None:
        rt = runtime.current()
        if not rt.settings.backup_daily:
            return
        await backup_and_record(rt, context, keep=rt.settings.backup_keep)

    run.__name__ = f"backup_{context}"
    return run


for _context, _name in DAILY_JOBS.items():
    job(_name, context=_context, lane=_LANES[_context], max_attempts=DAILY_ATTEMPTS, time_limit_seconds=3600)(
        _daily_backup(_context)
    )
    periodic(_name, _name, CronTrigger(**DAILY_AT, timezone="America/Sao_Paulo"))
