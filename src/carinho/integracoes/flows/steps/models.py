from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import BigInteger, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from carinho.integracoes.database import Base
from carinho.kit.db import IdMixin, TimestampMixin, UTCDateTime


class MessageStatus(StrEnum):
    sending = "sending"  # claimed by a run until claimed_until
    sent = "sent"
    failed = "failed"  # the last try failed; the next run may send


class OutboundMessage(IdMixin, TimestampMixin, Base):
    """Every WhatsApp message or e-mail a step sends, once per `dedupe_key` (e.g. the welcome
    of CRM lead 42), with the provider's message id. A run claims the key before sending, so neither
    a retried event nor two events about the same lead send it twice."""

    __tablename__ = "outbound_messages"

    dedupe_key: Mapped[str] = mapped_column(String(190), nullable=False, unique=True)
    channel: Mapped[str] = mapped_column(String(16), nullable=False)  # whatsapp | email
    template: Mapped[str] = mapped_column(String(80), nullable=False)
    event_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    step: Mapped[str] = mapped_column(String(80), nullable=False)
    status: Mapped[str] = mapped_column(String(16), nullable=False)
    provider_message_id: Mapped[str | None] = mapped_column(String(190), nullable=True)
    attempts: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    claimed_by: Mapped[str | None] = mapped_column(String(32), nullable=True)
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class FeedbackStatus(StrEnum):
    scheduled = "scheduled"  # the request goes out at due_at
    requested = "requested"  # sent; waiting for a WhatsApp reply or the link
    answered = "answered"


class FeedbackRequest(IdMixin, TimestampMixin, Base):
    """The feedback asked after a completed service (seed module 4): one per service."""

    __tablename__ = "feedback_requests"
    __table_args__ = (Index("ix_feedback_requests_phone_status", "client_phone", "status"),)

    service_id: Mapped[str] = mapped_column(String(64), nullable=False, unique=True)
    token: Mapped[str] = mapped_column(String(64), nullable=False, unique=True)
    event_id: Mapped[int] = mapped_column(BigInteger, nullable=False)  # the service.completed event
    client_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    client_phone: Mapped[str | None] = mapped_column(String(20), nullable=True)
    caregiver_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    status: Mapped[str] = mapped_column(String(16), nullable=False)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    requested_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    rating: Mapped[int | None] = mapped_column(Integer, nullable=True)
    comment: Mapped[str | None] = mapped_column(Text, nullable=True)
    answer_channel: Mapped[str | None] = mapped_column(String(16), nullable=True)
