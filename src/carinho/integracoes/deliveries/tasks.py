"""The job that makes one delivery attempt."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from carinho import runtime
from carinho.integracoes.deliveries import sender
from carinho.integracoes.deliveries.service import DELIVER_JOB, delivery_service
from carinho.kit.clock import utcnow
from carinho.worker import Lane, job


@job(DELIVER_JOB, context="integracoes", lane=Lane.integrations, max_attempts=10)
async def deliver_webhook(
    session: AsyncSession, delivery_id: int, attempt: int, trigger: str = "scheduled"
) -> None:
    """Read what to send in a short transaction of its own, send it with no transaction open (so
    a slow target never holds a database lock), then record the outcome in the job's session."""
    rt = runtime.current()
    async with rt.db("integracoes").session() as read_session:
        plan = await delivery_service.prepare_attempt(read_session, delivery_id, attempt, trigger)
        await read_session.commit()
    if plan is None:
        return
    started_at = utcnow()
    result = None
    if plan.blocked is None:
        result = await sender.send(
            plan.url, plan.body, plan.headers(started_at), rt.settings.webhook_timeout_seconds
        )
    await delivery_service.record_attempt(session, plan, result, started_at)
