"""Runs one outbox message: claim, run the job, mark done in the job's own transaction."""

from __future__ import annotations

import asyncio
import contextlib
import traceback
import uuid

from carinho import runtime
from carinho.kit import retry
from carinho.kit.clock import utcnow
from carinho.logging import get_logger
from carinho.worker.jobs import get_job
from carinho.worker.outbox_repository import ClaimedMessage, OutboxRepository

log = get_logger(__name__)


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
    token = uuid.uuid4().hex
    lease_seconds = rt.settings.outbox_lease_seconds
    async with rt.db(context).session() as session:
        claimed = await OutboxRepository(session, rt.spec(context).outbox).claim(
            outbox_id, token, utcnow(), lease_seconds
        )
        await session.commit()
    if claimed is None:
        return  # done already, claimed by another worker, or not yet due
    finished = asyncio.Event()
    heartbeat = asyncio.create_task(_renew_lease(context, outbox_id, token, lease_seconds, finished))
    try:
        await _run_claimed(context, claimed, token)
    finally:
        # Only once the job's transaction is over: on SQLite a renewal may be waiting for its lock.
        finished.set()
        await heartbeat


async def _run_claimed(context: str, claimed: ClaimedMessage, token: str) -> None:
    rt = runtime.current()
    db = rt.db(context)
    model = rt.spec(context).outbox
    outbox_id = claimed.id
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
        delay = retry.outbox_jobs(rt.settings).delay(claimed.attempt - 1)
        retry_at = None if exhausted or delay is None else utcnow() + delay
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


async def _renew_lease(
    context: str, outbox_id: int, token: str, lease_seconds: float, finished: asyncio.Event
) -> None:
    """The running job's heartbeat: extend its claim every third of the lease until the job is over
    or the claim is no longer ours. A failed renewal is retried at the next beat (the lease leaves
    room for two)."""
    rt = runtime.current()
    model = rt.spec(context).outbox
    while True:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(finished.wait(), timeout=lease_seconds / 3)
        if finished.is_set():
            return
        try:
            async with rt.db(context).session() as session:
                renewed = await OutboxRepository(session, model).renew(
                    outbox_id, token, utcnow(), lease_seconds
                )
                await session.commit()
        except Exception as exc:
            log.warning("outbox.lease_renew_failed", outbox_id=outbox_id, error=repr(exc))
            continue
        if not renewed:
            if not finished.is_set():
                log.warning("outbox.lease_lost", outbox_id=outbox_id, detail="handed on before renewal")
            return
