from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, exists, func, inspect, or_, select, update
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.attributes import set_committed_value

from carinho.atendimento.inbox.models import (
    ACTIVE_STATUSES,
    Alert,
    Contact,
    Conversation,
    DeliveryReceipt,
    DeliveryStatus,
    Message,
    conversation_labels,
)
from carinho.atendimento.inbox.text_search import like_pattern, message_text_match
from carinho.atendimento.inbox.urgency import urgent_first
from carinho.kit.repository import Repository


@dataclass
class ConversationFilters:
    status: list[str] | None = None
    priority: list[str] | None = None
    level: str | None = None
    assignee_id: int | None = None
    unassigned: bool | None = None
    label_id: int | None = None
    funnel_stage: str | None = None
    text: str | None = None
    contact: str | None = None  # phone digits or part of the name
    since: datetime | None = None
    until: datetime | None = None
    limit: int = 50
    offset: int = 0


class InboxRepository(Repository[Conversation]):
    model = Conversation

    # --- contacts
    async def contact_by_phone(self, phone: str) -> Contact | None:
        stmt = select(Contact).where(Contact.phone == phone)
        return (await self.session.execute(stmt)).scalar_one_or_none()

    async def contact(self, contact_id: int) -> Contact | None:
        return await self.session.get(Contact, contact_id)

    # --- conversations
    def _with_relations(self) -> Any:
        return select(Conversation).options(
            selectinload(Conversation.contact),
            selectinload(Conversation.assignee),
            selectinload(Conversation.labels),
        )

    async def conversation(self, conversation_id: int, *, lock: bool = False) -> Conversation | None:
        stmt = self._with_relations().where(Conversation.id == conversation_id)
        if lock:
            stmt = self.locked(stmt, of=Conversation)
        return (await self.session.execute(stmt)).scalar_one_or_none()

    async def active_conversation(self, contact_id: int) -> Conversation | None:
        stmt = self._with_relations().where(Conversation.active_contact_id == contact_id)
        return (await self.session.execute(stmt)).scalar_one_or_none()

    async def active_conversation_of(self, contact: Contact) -> Conversation | None:
        """The contact's active conversation for its inbound message: `contact` is the one the caller
        holds (no query for it), the assignee is loaded (no query when there is none), the labels
        are not (nothing on that path reads them)."""
        stmt = (
            select(Conversation)
            .options(selectinload(Conversation.assignee))
            .where(Conversation.active_contact_id == contact.id)
        )
        conversation = (await self.session.execute(stmt)).scalar_one_or_none()
        if conversation is not None and "contact" in inspect(conversation).unloaded:
            set_committed_value(conversation, "contact", contact)
        return conversation

    @staticmethod
    def created_with(conversation: Conversation, contact: Contact) -> None:
        """A conversation just inserted (flushed) has no assignee and no labels yet, and `contact`
        is its contact: its relations are known without asking the database."""
        set_committed_value(conversation, "contact", contact)
        set_committed_value(conversation, "assignee", None)
        set_committed_value(conversation, "labels", [])

    async def load_relations(self, conversation: Conversation, *names: str) -> None:
        """Loads those of the conversation's relations `names` that are not loaded yet (none loaded:
        no query); the ORM keeps loaded ones current with what this session changes."""
        missing = [name for name in names if name in inspect(conversation).unloaded]
        if missing:
            await self.session.refresh(conversation, attribute_names=missing)

    async def latest_conversation(self, contact_id: int) -> Conversation | None:
        """The contact's newest conversation (relations not loaded)."""
        stmt = (
            select(Conversation)
            .where(Conversation.contact_id == contact_id)
            .order_by(Conversation.id.desc())
            .limit(1)
        )
        return (await self.session.execute(stmt)).scalar_one_or_none()

    async def contact_conversations(
        self, contact_id: int, *, exclude_id: int | None = None, limit: int = 20
    ) -> Sequence[Conversation]:
        """The contact's conversations, newest first (with their assignee), but `exclude_id`."""
        stmt = (
            select(Conversation)
            .options(selectinload(Conversation.assignee))
            .where(Conversation.contact_id == contact_id)
        )
        if exclude_id is not None:
            stmt = stmt.where(Conversation.id != exclude_id)
        stmt = stmt.order_by(Conversation.created_at.desc(), Conversation.id.desc()).limit(limit)
        return (await self.session.execute(stmt)).scalars().all()

    async def search(self, filters: ConversationFilters, visibility: Any | None) -> Sequence[Conversation]:
        stmt = self._with_relations().join(Contact, Contact.id == Conversation.contact_id)
        if visibility is not None:
            stmt = stmt.where(visibility)
        if filters.status:
            stmt = stmt.where(Conversation.status.in_(filters.status))
        if filters.priority:
            stmt = stmt.where(Conversation.priority.in_(filters.priority))
        if filters.level:
            stmt = stmt.where(Conversation.level == filters.level)
        if filters.assignee_id is not None:
            stmt = stmt.where(Conversation.assignee_id == filters.assignee_id)
        if filters.unassigned:
            stmt = stmt.where(Conversation.assignee_id.is_(None))
        if filters.funnel_stage:
            stmt = stmt.where(Conversation.funnel_stage == filters.funnel_stage)
        if filters.label_id is not None:
            stmt = stmt.where(
                exists().where(
                    conversation_labels.c.conversation_id == Conversation.id,
                    conversation_labels.c.label_id == filters.label_id,
                )
            )
        if filters.contact:
            stmt = stmt.where(contact_match(filters.contact))
        if filters.text:
            stmt = stmt.where(message_text_match(filters.text))
        if filters.since is not None:
            stmt = stmt.where(Conversation.last_activity_at >= filters.since)
        if filters.until is not None:
            stmt = stmt.where(Conversation.last_activity_at < filters.until)
        stmt = (
            # Urgent (an emergency) first, then the latest activity.
            stmt.order_by(urgent_first(), Conversation.last_activity_at.desc(), Conversation.id.desc())
            .limit(filters.limit)
            .offset(filters.offset)
        )
        return (await self.session.execute(stmt)).scalars().unique().all()

    async def open_count_by_agent(self, agent_ids: Sequence[int]) -> dict[int, int]:
        if not agent_ids:
            return {}
        stmt = (
            select(Conversation.assignee_id, func.count())
            .where(Conversation.assignee_id.in_(agent_ids), Conversation.status.in_(list(ACTIVE_STATUSES)))
            .group_by(Conversation.assignee_id)
        )
        return {int(a): int(n) for a, n in await self.session.execute(stmt) if a is not None}

    async def queued_without_agent(self, older_than: datetime) -> Sequence[Conversation]:
        stmt = self._with_relations().where(
            Conversation.status.in_(list(ACTIVE_STATUSES)),
            Conversation.assignee_id.is_(None),
            Conversation.created_at <= older_than,
        )
        return (await self.session.execute(stmt)).scalars().all()

    async def waiting_customer_since(self, before: datetime) -> Sequence[Conversation]:
        stmt = self._with_relations().where(
            Conversation.status == "waiting_customer", Conversation.status_changed_at <= before
        )
        return (await self.session.execute(stmt)).scalars().all()

    # --- messages
    async def message(self, message_id: int) -> Message | None:
        return await self.session.get(Message, message_id)

    async def message_by_zapi_id(self, zapi_message_id: str) -> Message | None:
        stmt = select(Message).where(Message.zapi_message_id == zapi_message_id)
        return (await self.session.execute(stmt)).scalar_one_or_none()

    async def claim_queued_message(self, message_id: int) -> bool:
        """Moves a queued message to `sending` (one more attempt); False when it was not queued."""
        result = await self.session.execute(
            update(Message)
            .where(Message.id == message_id, Message.delivery_status == DeliveryStatus.queued.value)
            .values(
                delivery_status=DeliveryStatus.sending.value,
                send_attempts=Message.send_attempts + 1,
            )
            .execution_options(synchronize_session=False)
        )
        return bool(result.rowcount == 1)  # type: ignore[attr-defined]

    async def message_and_phone(self, message_id: int) -> tuple[Message, str]:
        """The message and its contact's phone."""
        row = (
            await self.session.execute(
                select(Message, Contact.phone)
                .join(Conversation, Conversation.id == Message.conversation_id)
                .join(Contact, Contact.id == Conversation.contact_id)
                .where(Message.id == message_id)
            )
        ).one()
        return row[0], row[1]

    async def sending_created_before(self, cutoff: datetime) -> Sequence[Message]:
        stmt = select(Message).where(
            Message.delivery_status == DeliveryStatus.sending.value, Message.created_at <= cutoff
        )
        return (await self.session.execute(stmt)).scalars().all()

    async def messages(self, conversation_id: int, *, include_private: bool = True) -> Sequence[Message]:
        stmt = select(Message).where(Message.conversation_id == conversation_id)
        if not include_private:
            stmt = stmt.where(Message.private.is_(False))
        stmt = stmt.order_by(Message.created_at, Message.id)
        return (await self.session.execute(stmt)).scalars().all()

    async def has_send_in_progress(self, conversation_id: int) -> bool:
        stmt = select(Message.id).where(
            Message.conversation_id == conversation_id,
            Message.delivery_status.in_(["queued", "sending"]),
        )
        return (await self.session.execute(stmt.limit(1))).first() is not None

    async def failed_messages(self, limit: int = 100) -> Sequence[Message]:
        stmt = (
            select(Message)
            .where(Message.delivery_status == "failed")
            .order_by(Message.failed_at.desc())
            .limit(limit)
        )
        return (await self.session.execute(stmt)).scalars().all()

    async def receipts_for(self, zapi_message_id: str) -> Sequence[DeliveryReceipt]:
        stmt = (
            select(DeliveryReceipt)
            .where(DeliveryReceipt.zapi_message_id == zapi_message_id)
            .order_by(DeliveryReceipt.moment, DeliveryReceipt.id)
        )
        return (await self.session.execute(stmt)).scalars().all()

    async def known_receipt_messages(self, limit: int = 500) -> Sequence[Message]:
        """Messages that have receipts waiting (their send committed after the callback)."""
        stmt = (
            select(Message)
            .where(Message.zapi_message_id.in_(select(DeliveryReceipt.zapi_message_id)))
            .limit(limit)
        )
        return (await self.session.execute(stmt)).scalars().all()

    async def delete_receipts_before(self, cutoff: datetime) -> None:
        await self.session.execute(delete(DeliveryReceipt).where(DeliveryReceipt.created_at < cutoff))

    async def delete(self, row: object) -> None:
        await self.session.delete(row)

    # --- alerts
    async def alerts(self, *, open_only: bool = True, limit: int = 100) -> Sequence[Alert]:
        stmt = select(Alert).order_by(Alert.created_at.desc(), Alert.id.desc()).limit(limit)
        if open_only:
            stmt = stmt.where(Alert.acknowledged_at.is_(None))
        return (await self.session.execute(stmt)).scalars().all()

    async def alert(self, alert_id: int) -> Alert | None:
        return await self.session.get(Alert, alert_id)

    async def alert_by_key(self, key: str) -> Alert | None:
        stmt = select(Alert).where(Alert.dedupe_key == key)
        return (await self.session.execute(stmt)).scalar_one_or_none()


def contact_match(term: str) -> Any:
    """Contacts whose name contains the term, or whose phone contains its digits (4 or more)."""
    term = term.strip()
    digits = "".join(ch for ch in term if ch.isdigit())
    clauses = [func.lower(Contact.name).like(like_pattern(term.lower()), escape="\\")]
    if len(digits) >= 4:
        clauses.append(Contact.phone.like(like_pattern(digits), escape="\\"))
    return or_(*clauses)
