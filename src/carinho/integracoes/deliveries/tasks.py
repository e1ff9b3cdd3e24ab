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
    """Read what to send and record the attempt as `sending` in short transactions of their own,
    send it with no transaction open (so a slow target never holds a database lock), then record the
    outcome in the job's session. A kill during the request leaves the attempt counted; the job's
    next run (after its lease) closes it and makes the next attempt, with the same `webhook-id`."""
    rt = runtime.current()
    async with rt.db("integracoes").session() as read_session:
        plan = await delivery_service.prepare_attempt(read_session, delivery_id, attempt, trigger)
        await read_session.commit()
    if plan is None:
        return
    if plan.blocked is not None:
        await delivery_service.record_blocked(session, plan)
        return
    started_at = utcnow()
    async with rt.db("integracoes").session() as begin_session:
        began = await delivery_service.begin_attempt(begin_session, plan, started_at)
        await begin_session.commit()
    if not began:
        return
    result = await sender.send(
        plan.url, plan.body, plan.headers(started_at), rt.settings.webhook_timeout_seconds
    )
    await delivery_service.finish_attempt(session, plan, result)
