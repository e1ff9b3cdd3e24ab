from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from carinho.integracoes.database import Base
from carinho.kit.db import BigIntPK, IdMixin, TimestampMixin, UTCDateTime


class DeliveryStatus(StrEnum):
    pending = "pending"  # an attempt is queued (next_attempt_at says when)
    succeeded = "succeeded"
    dead = "dead"  # retries exhausted, permanent error or endpoint disabled: in the DLQ


class AttemptTrigger(StrEnum):
    scheduled = "scheduled"
    manual = "manual"


class AttemptStatus(StrEnum):
    # Recorded before the request is made, so an attempt whose worker died during the call is still
    # counted; the next run of the delivery closes it as failed (interrupted) and makes the next one.
    sending = "sending"
    succeeded = "succeeded"
    failed = "failed"


class Delivery(IdMixin, TimestampMixin, Base):
    __tablename__ = "webhook_deliveries"
    __table_args__ = (
        UniqueConstraint("event_id", "endpoint_id", name="uq_webhook_deliveries_event_endpoint"),
        Index("ix_webhook_deliveries_status_next_attempt_at", "status", "next_attempt_at"),
        Index("ix_webhook_deliveries_endpoint_status", "endpoint_id", "status"),
    )

    event_id: Mapped[int] = mapped_column(
        BigIntPK, ForeignKey("integration_events.id", ondelete="CASCADE"), nullable=False
    )
    endpoint_id: Mapped[int] = mapped_column(
        BigIntPK, ForeignKey("webhook_endpoints.id", ondelete="CASCADE"), nullable=False
    )
    status: Mapped[str] = mapped_column(String(16), nullable=False, default=DeliveryStatus.pending)
    attempts: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    # Scheduled attempts made since the schedule (re)started; manual ones don't count.
    scheduled_attempts: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    # `webhook-id` and `Idempotency-Key`: the same on every attempt, so the target can dedupe.
    message_id: Mapped[str] = mapped_column(String(64), nullable=False)
    idempotency_key: Mapped[str] = mapped_column(String(190), nullable=False)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    last_status_code: Mapped[int | None] = mapped_column(Integer, nullable=True)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    succeeded_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class DeliveryAttempt(IdMixin, Base):
    __tablename__ = "webhook_delivery_attempts"
    __table_args__ = (
        Index("ix_webhook_delivery_attempts_delivery_id", "delivery_id"),
        Index("ix_webhook_delivery_attempts_finished_at", "finished_at"),  # the overview's rates
    )

    delivery_id: Mapped[int] = mapped_column(
        BigIntPK, ForeignKey("webhook_deliveries.id", ondelete="CASCADE"), nullable=False
    )
    number: Mapped[int] = mapped_column(Integer, nullable=False)
    trigger: Mapped[str] = mapped_column(String(16), nullable=False)
    status: Mapped[str] = mapped_column(String(16), nullable=False)
    status_code: Mapped[int | None] = mapped_column(Integer, nullable=True)  # None: no response
    duration_ms: Mapped[int | None] = mapped_column(Integer, nullable=True)  # None: not finished
    response_excerpt: Mapped[str | None] = mapped_column(Text, nullable=True)  # masked, <= 2 kB
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
