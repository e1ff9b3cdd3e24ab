"""The relay re-publishes outbox rows that are due and not under a live lease."""

from __future__ import annotations

from datetime import timedelta

from carinho.kit.clock import utcnow
from carinho.logging import get_logger
from carinho.runtime import Runtime
from carinho.worker.jobs import publish_all
from carinho.worker.models import OutboxStatus
from carinho.worker.outbox_repository import OutboxRepository

log = get_logger(__name__)


async def relay_once(rt: Runtime, context: str) -> int:
    lease = timedelta(seconds=rt.settings.outbox_dispatch_lease_seconds)
    async with rt.db(context).session() as session:
        repo = OutboxRepository(session, rt.spec(context).outbox)
        rows = await repo.take_due(utcnow(), lease, rt.settings.outbox_relay_batch)
        await session.commit()
    expired = [outbox_id for outbox_id, _, _, status in rows if status == OutboxStatus.running]
    if expired:
        log.warning("relay.lease_expired", context=context, count=len(expired), outbox_ids=expired[:20])
    # Like any commit's rows: a few messages per lane (a crash can leave thousands due at once).
    # A failed publish is logged there; the next lease round tries again.
    publish_all([(context, outbox_id, lane, time_limit) for outbox_id, lane, time_limit, _ in rows])
    return len(rows)


async def release_all(rt: Runtime, context: str) -> int:
    """Embedded profile at boot: nothing survives in the in-memory broker, so all is due again."""
    async with rt.db(context).session() as session:
        count = await OutboxRepository(session, rt.spec(context).outbox).release_all()
        await session.commit()
    if count:
        log.info("relay.released_on_boot", context=context, count=count)
    return count
