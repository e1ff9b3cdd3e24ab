"""Tables every bounded context's database carries: the outbox and process heartbeats."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, declared_attr, mapped_column

from carinho.kit.clock import utcnow
from carinho.kit.db import BigIntPK, UTCDateTime


class OutboxStatus(StrEnum):
    pending = "pending"
    running = "running"
    done = "done"
    failed = "failed"


class OutboxMessageMixin:
    """A job to run: the row is the truth, the broker message only a wake-up call.

    `available_at`: not before (delays). `visible_at`: when the relay may (re)publish it: a lease
    that covers publishing, waiting in the broker and running.
    """

    __tablename__ = "outbox_messages"

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    job: Mapped[str] = mapped_column(String(120), nullable=False)
    lane: Mapped[str] = mapped_column(String(40), nullable=False)
    args: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False, default=dict)
    status: Mapped[str] = mapped_column(String(16), nullable=False, default=OutboxStatus.pending)
    attempts: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    max_attempts: Mapped[int] = mapped_column(Integer, nullable=False, default=8)
    time_limit_seconds: Mapped[int] = mapped_column(Integer, nullable=False, default=300)
    dedupe_key: Mapped[str | None] = mapped_column(String(190), unique=True, nullable=True)
    available_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    visible_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    claimed_by: Mapped[str | None] = mapped_column(String(32), nullable=True)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)

    @declared_attr.directive
    def __table_args__(cls) -> tuple[Any, ...]:
        return (
            Index("ix_outbox_messages_status_visible_at", "status", "visible_at"),
            # The oldest due work of a lane is one lookup (the console's overview, /health/detailed).
            Index("ix_outbox_messages_lane_status_available_at", "lane", "status", "available_at"),
        )


class HeartbeatMixin:
    """The last sign of life of a long-running process (the scheduler, workers)."""

    __tablename__ = "heartbeats"

    name: Mapped[str] = mapped_column(String(120), primary_key=True)
    beat_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    details: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False, default=dict)
