"""Runs one outbox message: claim, run the job, mark done in the job's own transaction."""

from __future__ import annotations

import asyncio
import random
import traceback
import uuid
from datetime import timedelta

from carinho import runtime
from carinho.kit.clock import utcnow
from carinho.logging import get_logger
from carinho.worker.jobs import get_job
from carinho.worker.outbox_repository import OutboxRepository

log = get_logger(__name__)


def retry_delay(attempt: int) -> timedelta:
    """Exponential backoff with ±20 % jitter: 5 s, 10 s, 20 s ... capped at 10 min."""
    base = min(5 * 2 ** (attempt - 1), 600)
    return timedelta(seconds=base * random.uniform(0.8, 1.2))


async def run_outbox_messages(context: str, outbox_ids: list[int] | int) -> None:
    """The broker's entry point: the outbox rows of one message, one after the other. (A bare id is
    what messages published before batching carry.)"""
    for outbox_id in [outbox_ids] if isinstance(outbox_ids, int) else outbox_ids:
        try:
            await run_outbox_message(context, outbox_id)
        except Exception as exc:  # the row stays leased; the relay hands it on after the lease
            log.error("outbox.run_failed", context=context, outbox_id=outbox_id, error=repr(exc))


async def run_outbox_message(context: str, outbox_id: int) -> None:
    rt = runtime.current()
    db = rt.db(context)
    model = rt.spec(context).outbox
    token = uuid.uuid4().hex
    async with db.session() as session:
        claimed = await OutboxRepository(session, model).claim(
            outbox_id, token, utcnow(), rt.settings.outbox_lease_margin_seconds
        )
        await session.commit()
    if claimed is None:
        return  # done already, claimed by another worker, or not yet due
    spec = get_job(claimed.job)
    try:
        async with db.session() as session:
            await asyncio.wait_for(spec.fn(session, **claimed.args), timeout=claimed.time_limit_seconds)
            if not await OutboxRepository(session, model).complete(outbox_id, token):
                # Our lease expired and the relay handed the job on: drop our writes.
                await session.rollback()
                log.warning("outbox.lease_lost", job=claimed.job, outbox_id=outbox_id)
                return
            await session.commit()
    except Exception as exc:
        error = f"{type(exc).__name__}: {exc}\n{traceback.format_exc(limit=8)}"
        exhausted = claimed.attempt >= claimed.max_attempts
        retry_at = None if exhausted else utcnow() + retry_delay(claimed.attempt)
        async with db.session() as session:
            await OutboxRepository(session, model).fail(outbox_id, token, error, retry_at)
            await session.commit()
        log.warning(
            "outbox.job_failed",
            job=claimed.job,
            outbox_id=outbox_id,
            attempt=claimed.attempt,
            exhausted=exhausted,
            error=type(exc).__name__,
        )
        return
    log.info("outbox.job_done", job=claimed.job, outbox_id=outbox_id, attempt=claimed.attempt)
