from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from carinho.integracoes.database import Base
from carinho.kit.db import BigIntPK, IdMixin, TimestampMixin, UTCDateTime


class DeadLetterKind(StrEnum):
    step = "step"
    delivery = "delivery"


class DeadLetterStatus(StrEnum):
    open = "open"
    retrying = "retrying"  # a replay is queued
    resolved = "resolved"  # a replay succeeded
    archived = "archived"


class DeadLetter(IdMixin, TimestampMixin, Base):
    """One failed step or delivery. A replay that fails again reopens the same row."""

    __tablename__ = "dead_letters"
    __table_args__ = (
        Index("ix_dead_letters_status_created_at", "status", "created_at"),
        # The console: the open items newest first, and counted per target system.
        Index("ix_dead_letters_status_id", "status", "id"),
        Index("ix_dead_letters_status_target_system", "status", "target_system"),
        Index("ix_dead_letters_event_id", "event_id"),
    )

    kind: Mapped[str] = mapped_column(String(16), nullable=False)
    status: Mapped[str] = mapped_column(String(16), nullable=False, default=DeadLetterStatus.open)
    event_id: Mapped[int] = mapped_column(
        BigIntPK, ForeignKey("integration_events.id", ondelete="CASCADE"), nullable=False
    )
    source: Mapped[str] = mapped_column(String(40), nullable=False)
    event_type: Mapped[str] = mapped_column(String(80), nullable=False)
    step_id: Mapped[int | None] = mapped_column(
        BigIntPK, ForeignKey("integration_event_steps.id", ondelete="CASCADE"), nullable=True, unique=True
    )
    step_name: Mapped[str | None] = mapped_column(String(80), nullable=True)
    delivery_id: Mapped[int | None] = mapped_column(
        BigIntPK, ForeignKey("webhook_deliveries.id", ondelete="CASCADE"), nullable=True, unique=True
    )
    endpoint_id: Mapped[int | None] = mapped_column(BigIntPK, nullable=True)
    target_system: Mapped[str | None] = mapped_column(String(40), nullable=True)
    attempts: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    last_status_code: Mapped[int | None] = mapped_column(Integer, nullable=True)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    # Anything else worth seeing when deciding what to do (masked: URL, attempt summaries, ...).
    context: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False, default=dict)
    replays: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    last_replayed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
