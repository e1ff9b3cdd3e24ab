from __future__ import annotations

from datetime import timedelta

from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy.ext.asyncio import AsyncSession

from carinho.atendimento.inbox import send_order
from carinho.atendimento.inbox.receipts import reconcile_receipts
from carinho.atendimento.inbox.repository import InboxRepository
from carinho.atendimento.inbox.send_order import SEND_JOB, SEND_NEXT_JOB
from carinho.atendimento.inbox.sending import deliver, fail_stuck_sends
from carinho.kit.clock import utcnow
from carinho.worker import Lane, job
from carinho.worker.scheduler import periodic

SWEEP_JOB = "atendimento.fail_stuck_sends"


# Retries: the domain's (`deliver`, the `whatsapp_sends` schedule), not the outbox's. A run that
# raised after its claim left the message `sending`, which a re-run could only skip (the sweeper
# fails it visibly); one that raised before its claim left it `queued` (the sweeper restarts it).
@job(SEND_JOB, context="atendimento", lane=Lane.notifications, max_attempts=1, time_limit_seconds=90)
async def send_whatsapp(session: AsyncSession, message_id: int, attempt: int = 1) -> None:
    await deliver(session, message_id, attempt)


@job(SEND_NEXT_JOB, context="atendimento", lane=Lane.notifications, max_attempts=5, time_limit_seconds=60)
async def send_next(session: AsyncSession, conversation_id: int, after_message_id: int) -> None:
    await send_order.send_next(session, conversation_id, after_message_id)


@job(SWEEP_JOB, context="atendimento", lane=Lane.atendimento_low, max_attempts=1, time_limit_seconds=120)
async def sweep_stuck_sends(session: AsyncSession) -> None:
    await reconcile_receipts(session)
    await fail_stuck_sends(session)
    await send_order.restart_stalled(session)
    # Receipts for messages we never sent (another client of the same instance) are dropped.
    await InboxRepository(session).delete_receipts_before(utcnow() - timedelta(days=7))


periodic("atendimento.fail_stuck_sends", SWEEP_JOB, IntervalTrigger(minutes=5))
