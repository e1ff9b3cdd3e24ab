"""The messages of one conversation reach the customer in the order they were written.

WhatsApp conversations are read in order, so the sends of one conversation form a sequence: a
message goes to Z-API only once every earlier outbound message of its conversation is final (sent,
delivered, read or failed). Different conversations do not wait for each other.

* The sequence is the messages' ids. `queue()` takes a lock on the conversation's row before it
  inserts a message (MariaDB/PostgreSQL; SQLite writes one transaction at a time anyway), so two
  transactions writing to one conversation get their ids in the order they commit.
* `ready()` is checked before a send claims its message: a message waits (its job ends, nothing is
  sent) while an earlier one is `queued` or `sending` — also while that one waits for a retry
  (`extra.next_attempt_at`, set by a transient failure or Z-API's rate limit).
* When a message becomes final, its transaction enqueues `atendimento.send_next`. That job runs
  after the commit, reads the conversation afresh, and gives the next message its own send job. Being
  a separate transaction is what makes it safe: a message written while its predecessor was being
  sent either saw the predecessor final (and went on its own) or is seen by this job. On SQLite the
  final transaction holds the one write lock from its start, so no message can be written while it
  runs: when it sees no pending message left, no job is needed (a send and its commit fewer per
  message).
* After a predecessor **failed for good** (refused by Z-API, retries exhausted, interrupted) the
  rest **go on**: holding a conversation back would also hold the emergency answer, the survey and
  every later reply until a person acts. The failure stays visible — the message is `failed` with
  its reason, listed in `/api/messages/failed`, with a `message_send_failed` alert — and every
  message sent after it carries `extra.sent_after_failed` (the failed message's id), so the
  attendant sees what the customer got out of order if the failed one is re-sent.
* A safety net: the sweep (every 5 minutes) gives a send job to a conversation's next message that
  has waited 10 minutes with none (a job lost to an unexpected error).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from carinho import runtime
from carinho.atendimento.inbox.models import DeliveryStatus, Message
from carinho.atendimento.inbox.repository import InboxRepository
from carinho.atendimento.inbox.send_order_repository import SendOrderRepository
from carinho.kit.clock import utcnow
from carinho.logging import get_logger
from carinho.worker import enqueue
from carinho.worker.outbox_repository import OutboxRepository

log = get_logger(__name__)

SEND_JOB = "atendimento.send_whatsapp"
SEND_NEXT_JOB = "atendimento.send_next"  # the conversation's next message, once one became final

NEXT_ATTEMPT_KEY = "next_attempt_at"
SERIES_BASE_KEY = "series_base"
AFTER_FAILED_KEY = "sent_after_failed"
STALLED_AFTER = timedelta(minutes=10)


def send_dedupe_key(message_id: int, attempt: int) -> str:
    return f"atendimento:send-whatsapp:{message_id}:{attempt}"


async def lock_conversation(session: AsyncSession, conversation_id: int) -> None:
    """Hold the conversation's row until the caller commits: its messages' ids follow commit order."""
    await SendOrderRepository(session).lock_conversation(conversation_id)


def next_attempt_at(message: Message) -> datetime | None:
    value = (message.extra or {}).get(NEXT_ATTEMPT_KEY)
    return datetime.fromisoformat(value) if isinstance(value, str) else None


def waits_for_retry(message: Message, now: datetime | None = None) -> bool:
    due = next_attempt_at(message)
    return due is not None and due > (now or utcnow())


def set_next_attempt(message: Message, due: datetime | None) -> None:
    extra = dict(message.extra or {})
    if due is None:
        if NEXT_ATTEMPT_KEY not in extra:
            return
        extra.pop(NEXT_ATTEMPT_KEY)
    else:
        extra[NEXT_ATTEMPT_KEY] = due.isoformat()
    message.extra = extra


def series_attempt(message: Message, given: int) -> int:
    """Which attempt of its current series the message's latest claim was (a person's re-send starts
    a new series); `given`, the job's own count, for a series begun before series were recorded."""
    extra = message.extra or {}
    if SERIES_BASE_KEY in extra:
        return message.send_attempts - int(extra[SERIES_BASE_KEY])
    if extra.get("manual_retries"):
        return given
    return message.send_attempts


def start_series(message: Message) -> None:
    """A person re-sends a failed message: a new series of automatic attempts."""
    extra = dict(message.extra or {})
    extra[SERIES_BASE_KEY] = message.send_attempts
    extra.pop(NEXT_ATTEMPT_KEY, None)
    message.extra = extra


async def ready(message_id: int) -> bool:
    """Whether the message may be sent now: False while it waits for a retry or an earlier message
    of its conversation is not final. (True for a message that is not queued: the claim says no.)
    It only reads: on SQLite it waits for no writer, and no writer for it."""
    async with runtime.current().db("atendimento").read_session() as session:
        message = await InboxRepository(session).message(message_id)
        if message is None or message.delivery_status != DeliveryStatus.queued.value:
            return True
        if waits_for_retry(message):
            return False
        return not await SendOrderRepository(session).has_earlier_pending(message)


async def mark_if_after_failure(session: AsyncSession, message: Message) -> None:
    """Going out although the message just before it failed for good: say so on the message."""
    previous = await SendOrderRepository(session).previous(message)
    if previous is not None and previous.delivery_status == DeliveryStatus.failed.value:
        message.extra = {**(message.extra or {}), AFTER_FAILED_KEY: previous.id}


async def message_final(session: AsyncSession, message: Message) -> None:
    """`message` became final (sent or failed) in this transaction: once it commits, the next
    message of the conversation goes. When none is pending (the usual case: one message, sent),
    there is no next to give a job to — a message queued after this commits is sent by its own job,
    which sees this one final — but only SQLite can tell so for sure (`nothing_pending_alone`)."""
    if await SendOrderRepository(session).nothing_pending_alone(message.conversation_id):
        return
    await enqueue(
        session,
        SEND_NEXT_JOB,
        {"conversation_id": message.conversation_id, "after_message_id": message.id},
        dedupe_key=f"atendimento:send-next:{message.id}:{message.send_attempts}",
    )


async def send_next(session: AsyncSession, conversation_id: int, after_message_id: int) -> int | None:
    """The `send_next` job: give the conversation's next message a send job, unless it is being sent
    or waits for its own retry (whose job comes). Returns the message's id, or None."""
    head = await SendOrderRepository(session).head(conversation_id)
    if head is None or head.delivery_status != DeliveryStatus.queued.value or waits_for_retry(head):
        return None
    await enqueue(
        session,
        SEND_JOB,
        {"message_id": head.id, "attempt": series_attempt(head, 0) + 1},
        dedupe_key=f"{send_dedupe_key(head.id, head.send_attempts + 1)}:after:{after_message_id}",
    )
    return head.id


async def restart_stalled(session: AsyncSession) -> int:
    """The sweep's safety net: each conversation whose next message has waited STALLED_AFTER with no
    live send job gets one. Returns how many."""
    now = utcnow()
    cutoff = now - STALLED_AFTER
    conversations = await SendOrderRepository(session).conversations_queued_before(cutoff, 200)
    outbox = OutboxRepository(session, runtime.current().spec("atendimento").outbox)
    restarted = 0
    for conversation_id in conversations:
        head = await SendOrderRepository(session).head(conversation_id)
        if head is None or head.delivery_status != DeliveryStatus.queued.value or waits_for_retry(head, now):
            continue
        if await outbox.pending_or_running(SEND_JOB, f"atendimento:send-whatsapp:{head.id}:"):
            continue
        await enqueue(
            session,
            SEND_JOB,
            {"message_id": head.id, "attempt": series_attempt(head, 0) + 1},
            dedupe_key=f"{send_dedupe_key(head.id, head.send_attempts + 1)}:stalled:{int(now.timestamp())}",
        )
        log.warning("atendimento.send_restarted", message_id=head.id, conversation_id=conversation_id)
        restarted += 1
    return restarted
