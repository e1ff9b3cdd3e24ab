"""Jobs of the incidents package."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from carinho.atendimento.incidents import ownership
from carinho.atendimento.incidents.delivery import EMERGENCY_JOB, deliver
from carinho.worker import Lane, job


# Retries: operação failing is the domain's (`deliver` records it and schedules the next attempt on
# the `emergency_deliveries` schedule). The outbox's max_attempts only re-runs a run that raised (a
# database hiccup): nothing of it was kept, so it is the same attempt again, never a second retry.
@job(EMERGENCY_JOB, context="atendimento", lane=Lane.atendimento_high, max_attempts=10, time_limit_seconds=60)
async def deliver_emergency(session: AsyncSession, incident_id: int, attempt: int = 1) -> None:
    await deliver(session, incident_id, attempt)


# An emergency nobody could take: alert every supervisor again until someone takes it.
@job(
    ownership.OWNER_WATCH_JOB,
    context="atendimento",
    lane=Lane.atendimento_high,
    max_attempts=10,
    time_limit_seconds=60,
)
async def emergency_owner_watch(session: AsyncSession, incident_id: int, round_no: int = 2) -> None:
    await ownership.watch(session, incident_id, round_no)
