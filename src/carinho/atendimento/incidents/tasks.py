"""Jobs of the incidents package."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from carinho.atendimento.incidents import ownership
from carinho.atendimento.incidents.delivery import EMERGENCY_JOB, deliver
from carinho.worker import Lane, job


# The executor's own retries (max_attempts) cover unexpected errors (a database hiccup); operação
# being down is handled inside `deliver`, which schedules the next attempt with backoff.
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
