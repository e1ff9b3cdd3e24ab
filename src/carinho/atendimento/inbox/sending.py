"""Delivering a queued WhatsApp message through Z-API, exactly once.

1. Claim: `queued -> sending` in its own committed transaction; only one run can win it, and a
   message not `queued` (sent, failed, or being sent) is never sent again.
2. Call Z-API (rate-limited by the client).
3. Success: record WhatsApp's message id, `sent`. Transient failure: back to `queued` and a delayed
   retry on the `whatsapp_sends` schedule (kit/retry.py), up to MAX_SEND_ATTEMPTS. Z-API's rate
   limit: back to `queued` until a slot frees, not counted as an attempt. Permanent failure or
   attempts exhausted: `failed` with the reason, an alert and an audit entry (the dead letter: a
   person may re-send it from the conversation).
A crash between the Z-API call and the commit leaves the message `sending`: the sweeper marks it
failed ("confirme no WhatsApp antes de reenviar") rather than risk a second send.

Sends of one conversation go in the order written (`send_order.py`): before the claim, a message
whose predecessor is not final waits; a message that becomes final lets the next one go.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from carinho import runtime
from carinho.atendimento.history.actor import Actor
from carinho.atendimento.history.service import Action, history_service
from carinho.atendimento.inbox import send_order
from carinho.atendimento.inbox.failures import mark_failed
from carinho.atendimento.inbox.models import DeliveryStatus, Message, MessageKind
from carinho.atendimento.inbox.receipts import apply_pending_receipts
from carinho.atendimento.inbox.repository import InboxRepository
from carinho.atendimento.inbox.send_order import SEND_JOB, send_dedupe_key
from carinho.atendimento.live import recorder as live_recorder
from carinho.atendimento.live.models import ChangeKind
from carinho.connectors.errors import ConnectorError, ConnectorRateLimited, ConnectorTransientError
from carinho.kit import retry
from carinho.kit.clock import utcnow
from carinho.logging import get_logger
from carinho.worker import enqueue
from carinho.worker.outbox_repository import OutboxRepository

log = get_logger(__name__)

MAX_SEND_ATTEMPTS = 5
STUCK_SENDING_AFTER = timedelta(minutes=10)


@dataclass(frozen=True)
class Outcome:
    status: str
    detail: str = ""


async def _claim(message_id: int) -> bool:
    rt = runtime.current()
    async with rt.db("atendimento").session() as claim_session:
        claimed = await InboxRepository(claim_session).claim_queued_message(message_id)
        if claimed:  # a Core UPDATE: the live feed's recorder does not see it (`sending` tick)
            await live_recorder.record_messages(claim_session, ChangeKind.delivery, [message_id])
        await claim_session.commit()
        return claimed


async def _call_zapi(phone: str, message: Message) -> tuple[str | None, str | None, bool]:
    from carinho.connectors.zapi.client import ZapiClient

    settings = runtime.current().settings
    # The message keeps its reserved slot when a paced send comes back (connectors/zapi/ratelimit.py).
    async with ZapiClient(settings, pacing_key=f"atendimento:message:{message.id}") as client:
        kind = MessageKind(message.kind)
        if kind is MessageKind.image and message.media_url:
            result = await client.send_image(phone, message.media_url, caption=message.content)
        elif message.media_url:
            name = message.media_file_name or message.media_url.rsplit("/", 1)[-1]
            extension = name.rsplit(".", 1)[-1] if "." in name else "bin"
            result = await client.send_document(
                phone,
                message.media_url,
                extension,
                file_name=message.media_file_name,
                caption=message.content,
            )
        else:
            result = await client.send_text(phone, message.content or "")
    return result.message_id or result.id, result.zaap_id, bool(result.skipped)


async def deliver(session: AsyncSession, message_id: int, attempt: int) -> Outcome:
    """Send the message if it is its conversation's turn; `attempt` is the job's count (the message's
    own record decides, see `send_order.series_attempt`). Final outcomes let the next message go."""
    if not await send_order.ready(message_id):
        return Outcome("waiting", "an earlier message of the conversation goes first")
    if not await _claim(message_id):
        return Outcome("skipped", "not queued")
    # Held here: the session keeps only weak references to rows it has flushed, so asking for the
    # message again after the send would read it again.
    message, phone = await InboxRepository(session).message_and_phone(message_id)
    outcome = await _send_claimed(session, message, phone, attempt)
    if outcome.status in ("sent", "failed"):
        await send_order.message_final(session, message)
    return outcome


async def _send_claimed(session: AsyncSession, message: Message, phone: str, attempt: int) -> Outcome:
    attempt = send_order.series_attempt(message, attempt)
    send_order.set_next_attempt(message, None)
    try:
        provider_id, zaap_id, skipped = await _call_zapi(phone, message)
    except ConnectorRateLimited as exc:
        # Nothing was sent: not an attempt. It stays first in its conversation until a slot frees.
        delay = timedelta(seconds=max(1.0, exc.retry_after or 1.0))
        message.delivery_status = DeliveryStatus.queued.value
        message.send_attempts -= 1
        send_order.set_next_attempt(message, utcnow() + delay)
        await enqueue(
            session,
            SEND_JOB,
            {"message_id": message.id, "attempt": attempt},
            delay=delay,
            dedupe_key=f"{send_dedupe_key(message.id, message.send_attempts + 1)}:rl:{uuid.uuid4().hex[:12]}",
        )
        log.info("atendimento.send_rate_limited", message_id=message.id, retry_after=exc.retry_after)
        return Outcome("rate_limited", exc.code)
    except ConnectorTransientError as exc:
        retry_delay = retry.whatsapp_sends(runtime.current().settings).delay(
            attempt - 1, retry_after=exc.retry_after
        )
        if attempt < MAX_SEND_ATTEMPTS and retry_delay is not None:
            message.delivery_status = DeliveryStatus.queued.value
            message.failure_reason = f"tentativa {attempt} falhou: {exc.message}"[:2000]
            send_order.set_next_attempt(message, utcnow() + retry_delay)
            await enqueue(
                session,
                SEND_JOB,
                {"message_id": message.id, "attempt": attempt + 1},
                delay=retry_delay,
                dedupe_key=send_dedupe_key(message.id, message.send_attempts + 1),
            )
            log.warning("atendimento.send_retry", message_id=message.id, attempt=attempt, error=exc.code)
            return Outcome("retry", exc.code)
        await mark_failed(session, message, f"Falha após {attempt} tentativas: {exc.message}")
        return Outcome("failed", exc.code)
    except ConnectorError as exc:
        await mark_failed(session, message, f"Envio recusado pelo WhatsApp (Z-API): {exc.message}")
        return Outcome("failed", exc.code)
    if skipped:
        await mark_failed(session, message, "Envio pelo WhatsApp desativado (ZAPI_ENABLED=false).")
        return Outcome("failed", "disabled")
    now = utcnow()
    message.zapi_message_id = provider_id
    message.zapi_zaap_id = zaap_id
    message.delivery_status = DeliveryStatus.sent.value
    message.failure_reason = None
    message.sent_at = now
    await send_order.mark_if_after_failure(session, message)
    await apply_pending_receipts(session, message)
    history_service.record(
        session,
        Action.message_sent,
        Actor.system(),
        conversation_id=message.conversation_id,
        before={"delivery_status": DeliveryStatus.queued.value},
        after={"delivery_status": DeliveryStatus.sent.value, "message_id": message.id},
        details={"attempt": attempt},
    )
    log.info("atendimento.message_sent", message_id=message.id, conversation_id=message.conversation_id)
    return Outcome("sent")


async def fail_stuck_sends(session: AsyncSession) -> int:
    """Messages left `sending` by a crash: we cannot know whether WhatsApp got them, so they fail
    visibly instead of being sent a second time."""
    cutoff = utcnow() - STUCK_SENDING_AFTER
    # `sending` is set without a timestamp; the last claim is bounded by the job's own lease, so
    # anything still `sending` whose newest outbox attempt is older than the cutoff is stuck.
    rows = await InboxRepository(session).sending_created_before(cutoff)
    stuck = 0
    for message in rows:
        if await _send_in_flight(session, message.id, cutoff):
            continue
        await mark_failed(
            session,
            message,
            "Envio interrompido: confirme no WhatsApp se a mensagem chegou antes de reenviar.",
        )
        await send_order.message_final(session, message)  # the rest of the conversation goes on
        stuck += 1
    return stuck


async def _send_in_flight(session: AsyncSession, message_id: int, cutoff: datetime) -> bool:
    outbox = OutboxRepository(session, runtime.current().spec("atendimento").outbox)
    return await outbox.running_since(SEND_JOB, f"atendimento:send-whatsapp:{message_id}:", cutoff)
