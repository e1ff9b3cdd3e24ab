"""The sync job and the schedules of seed module 5 (CRM → Operação hourly, Operação → Financeiro
daily, CRM → Financeiro twice a day, Cuidadores → CRM every 4 hours)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from carinho.integracoes.sync.definitions import SYNCS
from carinho.integracoes.sync.service import RUN_SYNC_JOB, sync_service
from carinho.worker import Lane, job
from carinho.worker.scheduler import periodic


@job(RUN_SYNC_JOB, context="integracoes", lane=Lane.integrations_low, max_attempts=3, time_limit_seconds=1800)
async def run_sync(
    session: AsyncSession, sync_job_id: int | None = None, name: str | None = None, trigger: str = "schedule"
) -> None:
    await sync_service.run(session, sync_job_id=sync_job_id, name=name, trigger=trigger)


for _sync in SYNCS.values():
    periodic(f"sync.{_sync.name}", RUN_SYNC_JOB, _sync.trigger, {"name": _sync.name, "trigger": "schedule"})
