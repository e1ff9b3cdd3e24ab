"""InboxService, the receiving half: Z-API callbacks become contacts, conversations, messages and
delivery statuses. Idempotent on WhatsApp's message id (a unique column), so a redelivered
callback changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from carinho.atendimento import signals
from carinho.atendimento.funnel.models import stage_for_new_conversation
from carinho.atendimento.history.actor import Actor
from carinho.atendimento.history.service import Action, history_service
from carinho.atendimento.inbox.models import (
    Contact,
    Conversation,
    ConversationStatus,
    DeliveryReceipt,
    DeliveryStatus,
    Direction,
    Message,
    MessageKind,
    SenderType,
)
from carinho.atendimento.inbox.receipts import apply_receipt
from carinho.atendimento.inbox.repository import InboxRepository
from carinho.connectors.zapi.callbacks import DeliveryReport, MessageStatus, ReceivedMessage
from carinho.kit.clock import utcnow
from carinho.logging import get_logger

log = get_logger(__name__)


# Z-API status -> ours. READ_BY_ME is about messages *we* read: nothing to record.
ZAPI_STATUS = {
    "SENT": DeliveryStatus.sent,
    "RECEIVED": DeliveryStatus.received,
    "DELIVERED": DeliveryStatus.received,
    "READ": DeliveryStatus.read,
    "PLAYED": DeliveryStatus.read,
}


@dataclass(frozen=True)
class InboundResult:
    outcome: str  # created | duplicate | ignored
    message_id: int | None = None
    conversation_id: int | None = None
    new_conversation: bool = False
    reason: str | None = None


def _kind(value: str) -> MessageKind:
    try:
        return MessageKind(value)
    except ValueError:
        return MessageKind.unknown


class InboundService:
    async def receive(self, session: AsyncSession, callback: ReceivedMessage) -> InboundResult:
        if callback.is_group or callback.is_newsletter or callback.is_status_reply:
            return InboundResult("ignored", reason="group, newsletter or status reply")
        if callback.phone is None:
            return InboundResult("ignored", reason="chat without a phone number")
        if callback.notification or callback.waiting_message or callback.is_edit:
            return InboundResult("ignored", reason="notification, waiting message or edit")
        repo = InboxRepository(session)
        existing = await repo.message_by_zapi_id(callback.message_id)
        if existing is not None:
            return InboundResult("duplicate", existing.id, existing.conversation_id)
        if callback.from_me:
            return await self._from_our_phone(session, callback)
        try:
            async with session.begin_nested():
                return await self._store_inbound(session, callback)
        except IntegrityError:
            # A concurrent delivery of the same message (or the same contact's first message) won.
            existing = await repo.message_by_zapi_id(callback.message_id)
            if existing is not None:
                return InboundResult("duplicate", existing.id, existing.conversation_id)
            async with session.begin_nested():
                return await self._store_inbound(session, callback)

    async def _store_inbound(self, session: AsyncSession, callback: ReceivedMessage) -> InboundResult:
        assert callback.phone is not None
        repo = InboxRepository(session)
        now = utcnow()
        contact = await repo.contact_by_phone(callback.phone)
        new_contact = contact is None
        if contact is None:
            contact = Contact(
                phone=callback.phone, name=callback.sender_name or callback.chat_name, last_inbound_at=now
            )
            repo.add(contact)
            await session.flush()
        else:
            if not contact.name and (callback.sender_name or callback.chat_name):
                contact.name = callback.sender_name or callback.chat_name
            contact.last_inbound_at = now
            # A new contact has no past: nothing we asked it before can claim its message.
            for claimer in signals.inbound_claimers:
                claimed = await claimer(session, contact, callback.text)
                if claimed is not None:
                    return await self._store_claimed(session, claimed, callback, now)
        conversation, created = await self._conversation_for(session, contact, now, new_contact=new_contact)
        kind = _kind(callback.kind)
        message = await self._add_inbound_message(session, conversation, callback, now)
        conversation.last_inbound_at = now
        conversation.last_activity_at = now
        if conversation.waiting_since is None:
            conversation.waiting_since = now
        history_service.record(
            session,
            Action.message_received,
            Actor.contact(),
            conversation_id=conversation.id,
            after={"message_id": message.id},
            details={"kind": kind.value},
        )
        await signals.message_received.send(
            session,
            conversation=conversation,
            message=message,
            new_conversation=created,
            new_contact=new_contact,
        )
        log.info(
            "atendimento.message_received",
            message_id=message.id,
            conversation_id=conversation.id,
            new_conversation=created,
            kind=kind.value,
        )
        return InboundResult("created", message.id, conversation.id, created)

    async def _add_inbound_message(
        self, session: AsyncSession, conversation: Conversation, callback: ReceivedMessage, now: datetime
    ) -> Message:
        message = _message(
            conversation,
            callback,
            direction=Direction.inbound.value,
            sender_type=SenderType.contact.value,
            extra=_extra(callback),
            reply_to_zapi_id=callback.reference_message_id,
            delivery_status=DeliveryStatus.received.value,
            created_at=now,
            sent_at=callback.moment,  # when the customer sent it: its place in the thread
        )
        InboxRepository(session).add(message)
        await session.flush()
        return message

    async def _store_claimed(
        self, session: AsyncSession, conversation: Conversation, callback: ReceivedMessage, now: datetime
    ) -> InboundResult:
        """A message a claimer took (an answer to a survey): kept in that conversation's thread
        without reopening it or firing the new-conversation automations. Stamped with the moment it
        arrived, before what the claimer queued in answer (the thread reads in that order)."""
        message = await self._add_inbound_message(session, conversation, callback, now)
        history_service.record(
            session,
            Action.message_received,
            Actor.contact(),
            conversation_id=conversation.id,
            after={"message_id": message.id},
            details={"kind": message.kind, "claimed": True},
        )
        return InboundResult("created", message.id, conversation.id)

    async def _conversation_for(
        self, session: AsyncSession, contact: Contact, now: datetime, *, new_contact: bool
    ) -> tuple[Conversation, bool]:
        """The contact's active conversation (reopened from pending / waiting for the customer), or a
        new one when there is none (a message after a resolved or closed conversation starts anew).
        A contact created by this message has no conversation yet: nothing to look up."""
        repo = InboxRepository(session)
        conversation = None if new_contact else await repo.active_conversation_of(contact)
        if conversation is not None:
            if conversation.status != ConversationStatus.open.value:
                before = conversation.status
                conversation.status = ConversationStatus.open.value
                conversation.status_changed_at = utcnow()
                history_service.record(
                    session,
                    Action.conversation_reopened,
                    Actor.contact(),
                    conversation_id=conversation.id,
                    before={"status": before},
                    after={"status": ConversationStatus.open.value},
                )
                await signals.status_changed.send(
                    session,
                    conversation=conversation,
                    before=before,
                    after=ConversationStatus.open.value,
                    actor=Actor.contact(),
                )
            return conversation, False
        previous = None if new_contact else await repo.latest_conversation(contact.id)
        conversation = Conversation(
            contact_id=contact.id,
            active_contact_id=contact.id,
            status=ConversationStatus.open.value,
            priority="normal",
            level="N1",
            funnel_stage=stage_for_new_conversation(previous.funnel_stage if previous else None),
            last_activity_at=now,
            status_changed_at=now,
            # What the message that opens it sets (`_store_inbound`), inserted with it: no UPDATE.
            last_inbound_at=now,
            waiting_since=now,
        )
        repo.add(conversation)
        await session.flush()
        repo.created_with(conversation, contact)
        history_service.record(
            session,
            Action.conversation_created,
            Actor.contact(),
            conversation_id=conversation.id,
            after={
                "status": conversation.status,
                "funnel_stage": conversation.funnel_stage,
                "previous_conversation_id": previous.id if previous else None,
            },
        )
        return conversation, True

    async def _from_our_phone(self, session: AsyncSession, callback: ReceivedMessage) -> InboundResult:
        """A message typed on the company phone itself: kept in the thread as an outbound message."""
        assert callback.phone is not None
        repo = InboxRepository(session)
        contact = await repo.contact_by_phone(callback.phone)
        conversation = await repo.active_conversation(contact.id) if contact else None
        if conversation is None:
            return InboundResult("ignored", reason="sent from the phone outside a conversation")
        if await repo.has_send_in_progress(conversation.id):
            # Likely the echo of our own send whose id is not committed yet: never double-record it.
            return InboundResult("ignored", reason="echo of a send in progress")
        message = _message(
            conversation,
            callback,
            direction=Direction.outbound.value,
            sender_type=SenderType.system.value,
            extra={"sent_from_phone": True},
            delivery_status=DeliveryStatus.sent.value,
            created_at=utcnow(),
            sent_at=callback.moment,
        )
        repo.add(message)
        await session.flush()
        conversation.last_outbound_at = utcnow()
        conversation.last_activity_at = utcnow()
        return InboundResult("created", message.id, conversation.id)

    async def apply_status(self, session: AsyncSession, callback: MessageStatus) -> int:
        """Moves our messages' delivery status forward (never back). Returns how many changed."""
        target = ZAPI_STATUS.get(callback.status)
        if target is None:
            return 0
        changed = 0
        for zapi_id in callback.ids:
            changed += await self._apply(session, zapi_id, target.value, None, callback.moment)
        return changed

    async def apply_delivery(self, session: AsyncSession, callback: DeliveryReport) -> bool:
        status = "failed" if callback.error else DeliveryStatus.sent.value
        return bool(await self._apply(session, callback.message_id, status, callback.error, callback.moment))

    async def _apply(
        self, session: AsyncSession, zapi_id: str, status: str, error: str | None, moment: datetime
    ) -> int:
        repo = InboxRepository(session)
        message = await repo.message_by_zapi_id(zapi_id)
        if message is None:
            # Possibly our own send whose id is not committed yet: keep it for later.
            repo.add(DeliveryReceipt(zapi_message_id=zapi_id, status=status, error=error, moment=moment))
            return 0
        return int(await apply_receipt(session, message, status, error, moment))


def _message(conversation: Conversation, callback: ReceivedMessage, **fields: Any) -> Message:
    """A message of the conversation with the callback's content and media; `fields` say who sent it."""
    media = callback.media
    return Message(
        conversation_id=conversation.id,
        kind=_kind(callback.kind).value,
        private=False,
        content=callback.text,
        media_url=media.url if media else None,
        media_mime_type=media.mime_type if media else None,
        media_file_name=media.file_name if media else None,
        media_caption=media.caption if media else None,
        zapi_message_id=callback.message_id,
        **fields,
    )


def _extra(callback: ReceivedMessage) -> dict[str, object]:
    extra: dict[str, object] = {}
    if callback.selection_id:
        extra["selection_id"] = callback.selection_id
    if callback.media and callback.media.seconds is not None:
        extra["seconds"] = callback.media.seconds
    if callback.kind == "location":
        location = callback.raw.get("location")
        if isinstance(location, dict):
            extra["location"] = {
                k: location.get(k) for k in ("latitude", "longitude", "address", "name", "url")
            }
    if callback.kind == "contact":
        contact = callback.raw.get("contact")
        if isinstance(contact, dict):
            extra["contact"] = {"display_name": contact.get("displayName"), "phones": contact.get("phones")}
    return extra


inbound_service = InboundService()
