"""Run queued jobs deterministically in the test's own event loop (no broker threads)."""

from __future__ import annotations

from sqlalchemy import select

from carinho.kit.clock import utcnow
from carinho.runtime import CONTEXTS, Runtime
from carinho.worker.executor import run_outbox_message
from carinho.worker.models import OutboxStatus


async def due_ids(rt: Runtime, context: str) -> list[int]:
    model = rt.spec(context).outbox
    async with rt.db(context).session() as session:
        result = await session.execute(
            select(model.id)
            .where(model.status == OutboxStatus.pending.value, model.available_at <= utcnow())
            .order_by(model.id)
        )
        return list(result.scalars())


async def drain(rt: Runtime, contexts: tuple[str, ...] = CONTEXTS, max_rounds: int = 50) -> int:
    """Run every due job (and the jobs they enqueue) until none is due. Returns how many ran."""
    ran = 0
    for _ in range(max_rounds):
        batch = [(c, i) for c in contexts for i in await due_ids(rt, c)]
        if not batch:
            return ran
        for context, outbox_id in batch:
            await run_outbox_message(context, outbox_id)
            ran += 1
    raise AssertionError(f"jobs still due after {max_rounds} rounds: a job keeps re-enqueueing")


async def outbox_rows(rt: Runtime, context: str) -> list[object]:
    model = rt.spec(context).outbox
    async with rt.db(context).session() as session:
        return list((await session.execute(select(model).order_by(model.id))).scalars())
