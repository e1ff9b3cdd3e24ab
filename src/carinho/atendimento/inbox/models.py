from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from carinho.atendimento.agents.models import Agent
from carinho.atendimento.database import Base
from carinho.atendimento.labels.models import Label
from carinho.kit.clock import utcnow
from carinho.kit.db import BigIntPK, IdMixin, TimestampMixin, UTCDateTime
from carinho.kit.labeled_enum import LabeledEnum


class ConversationStatus(LabeledEnum):
    open = "open", "Aberta"
    pending = "pending", "Pendente"
    waiting_customer = "waiting_customer", "Aguardando cliente"
    resolved = "resolved", "Resolvida"
    closed = "closed", "Fechada"

    @property
    def is_active(self) -> bool:
        return self in ACTIVE_STATUSES


ACTIVE_STATUSES = frozenset(
    {ConversationStatus.open, ConversationStatus.pending, ConversationStatus.waiting_customer}
)


class Priority(LabeledEnum):
    low = "low", "Baixa"
    normal = "normal", "Normal"
    high = "high", "Alta"
    urgent = "urgent", "Urgente"


class Direction(StrEnum):
    inbound = "inbound"
    outbound = "outbound"


class MessageKind(StrEnum):
    text = "text"
    image = "image"
    document = "document"
    audio = "audio"
    video = "video"
    location = "location"
    contact = "contact"
    sticker = "sticker"
    reaction = "reaction"
    button_response = "button_response"
    list_response = "list_response"
    note = "note"
    unknown = "unknown"


class DeliveryStatus(StrEnum):
    queued = "queued"
    sending = "sending"
    sent = "sent"
    received = "received"
    read = "read"
    failed = "failed"


DELIVERY_ORDER = {
    DeliveryStatus.queued: 0,
    DeliveryStatus.sending: 1,
    DeliveryStatus.sent: 2,
    DeliveryStatus.received: 3,
    DeliveryStatus.read: 4,
}


class SenderType(StrEnum):
    contact = "contact"
    agent = "agent"
    automation = "automation"
    system = "system"


class Contact(IdMixin, TimestampMixin, Base):
    __tablename__ = "contacts"

    phone: Mapped[str] = mapped_column(String(20), nullable=False, unique=True)
    name: Mapped[str | None] = mapped_column(String(160), nullable=True)
    email: Mapped[str | None] = mapped_column(String(190), nullable=True)
    crm_lead_id: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    last_inbound_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


conversation_labels = Table(
    "conversation_labels",
    Base.metadata,
    Column("conversation_id", BigIntPK, ForeignKey("conversations.id", ondelete="CASCADE"), primary_key=True),
    Column("label_id", BigIntPK, ForeignKey("labels.id", ondelete="CASCADE"), primary_key=True),
)


class Conversation(IdMixin, TimestampMixin, Base):
    __tablename__ = "conversations"

    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id", ondelete="CASCADE"), nullable=False)
    # Equals contact_id while the conversation is active, NULL otherwise: a unique index then makes
    # "one active conversation per contact" hold even under concurrent webhooks.
    active_contact_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True, unique=True)
    status: Mapped[str] = mapped_column(String(24), nullable=False, default=ConversationStatus.open)
    priority: Mapped[str] = mapped_column(String(16), nullable=False, default=Priority.normal)
    level: Mapped[str] = mapped_column(String(4), nullable=False, default="N1")
    assignee_id: Mapped[int | None] = mapped_column(
        ForeignKey("agents.id", ondelete="SET NULL"), nullable=True
    )
    funnel_stage: Mapped[str] = mapped_column(String(24), nullable=False, default="new")
    loss_reason_id: Mapped[int | None] = mapped_column(ForeignKey("loss_reasons.id"), nullable=True)
    loss_note: Mapped[str | None] = mapped_column(Text, nullable=True)
    # When the customer started waiting for us (set by an inbound message, cleared by our reply).
    waiting_since: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    first_response_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    last_activity_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    last_inbound_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    last_outbound_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    status_changed_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    assigned_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)

    contact: Mapped[Contact] = relationship(lazy="raise")
    assignee: Mapped[Agent | None] = relationship(lazy="raise")
    labels: Mapped[list[Label]] = relationship(secondary=conversation_labels, lazy="raise")

    __table_args__ = (
        Index("ix_conversations_status_priority", "status", "priority"),
        Index("ix_conversations_assignee_status", "assignee_id", "status"),
        Index("ix_conversations_contact", "contact_id"),
        Index("ix_conversations_last_activity", "last_activity_at"),
        Index("ix_conversations_waiting_since", "waiting_since"),
        # The Funil board: a stage's most recently active leads in index order (migration 0013).
        Index("ix_conversations_funnel_stage_activity", "funnel_stage", "last_activity_at", "id"),
        Index("ix_conversations_created", "created_at"),
        # Live metrics (metrics package): counts per status/level, the queue, today's timings.
        Index("ix_conversations_status_level", "status", "level", "assignee_id", "waiting_since"),
        Index("ix_conversations_first_response_at", "first_response_at"),
        Index("ix_conversations_resolved_at", "resolved_at"),
    )

    @property
    def is_active(self) -> bool:
        return ConversationStatus(self.status).is_active


class Message(IdMixin, Base):
    __tablename__ = "messages"

    conversation_id: Mapped[int] = mapped_column(
        ForeignKey("conversations.id", ondelete="CASCADE"), nullable=False
    )
    direction: Mapped[str] = mapped_column(String(16), nullable=False)
    kind: Mapped[str] = mapped_column(String(24), nullable=False, default=MessageKind.text)
    private: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    sender_type: Mapped[str] = mapped_column(String(16), nullable=False)
    agent_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    content: Mapped[str | None] = mapped_column(Text, nullable=True)
    # Light attachment: a link to the media, never the bytes.
    media_url: Mapped[str | None] = mapped_column(String(2000), nullable=True)
    media_mime_type: Mapped[str | None] = mapped_column(String(120), nullable=True)
    media_size: Mapped[int | None] = mapped_column(Integer, nullable=True)
    media_file_name: Mapped[str | None] = mapped_column(String(255), nullable=True)
    media_caption: Mapped[str | None] = mapped_column(Text, nullable=True)
    extra: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False, default=dict)
    # WhatsApp's message id (Z-API `messageId`), inbound or the one Z-API returned for our send.
    zapi_message_id: Mapped[str | None] = mapped_column(String(128), nullable=True, unique=True)
    zapi_zaap_id: Mapped[str | None] = mapped_column(String(128), nullable=True)
    reply_to_zapi_id: Mapped[str | None] = mapped_column(String(128), nullable=True)
    delivery_status: Mapped[str] = mapped_column(String(16), nullable=False)
    failure_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    send_attempts: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    template_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    automation: Mapped[str | None] = mapped_column(String(32), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    failed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)

    __table_args__ = (
        Index("ix_messages_conversation_created", "conversation_id", "created_at"),
        Index("ix_messages_delivery_status", "delivery_status"),
        # Live metrics (metrics package): messages per hour and agents' last activity.
        Index("ix_messages_created_direction", "created_at", "direction", "private"),
        # Send failures since an instant; partial where the database can (few messages ever fail).
        Index(
            "ix_messages_failed_at",
            "failed_at",
            sqlite_where=text("failed_at IS NOT NULL"),
            postgresql_where=text("failed_at IS NOT NULL"),
        ),
    )


class Alert(IdMixin, Base):
    """Something a supervisor must see: a send that failed for good, (later) SLA at risk, backlog."""

    __tablename__ = "alerts"

    kind: Mapped[str] = mapped_column(String(48), nullable=False)
    severity: Mapped[str] = mapped_column(String(16), nullable=False, default="warning")
    title: Mapped[str] = mapped_column(String(200), nullable=False)
    details: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False, default=dict)
    conversation_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    message_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    dedupe_key: Mapped[str | None] = mapped_column(String(190), nullable=True, unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    acknowledged_by_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True)

    __table_args__ = (Index("ix_alerts_ack_created", "acknowledged_at", "created_at"),)


class DeliveryReceipt(IdMixin, Base):
    """A status or delivery callback that arrived before the send that it is about was recorded
    (Z-API may call back before our send job commits). Applied as soon as the message is known."""

    __tablename__ = "delivery_receipts"

    zapi_message_id: Mapped[str] = mapped_column(String(128), nullable=False, index=True)
    status: Mapped[str] = mapped_column(String(16), nullable=False)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    moment: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)


class ConversationRead(Base):
    """How far each agent has read each conversation (the inbox's unread counts): the last message
    id that was on their screen. One row per (conversation, agent), moved forward only."""

    __tablename__ = "conversation_reads"

    conversation_id: Mapped[int] = mapped_column(
        BigIntPK, ForeignKey("conversations.id", ondelete="CASCADE"), primary_key=True
    )
    agent_id: Mapped[int] = mapped_column(
        BigIntPK, ForeignKey("agents.id", ondelete="CASCADE"), primary_key=True
    )
    last_read_message_id: Mapped[int] = mapped_column(BigInteger, nullable=False)
    read_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
