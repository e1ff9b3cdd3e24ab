from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from carinho.integracoes.database import Base
from carinho.kit.db import BigIntPK, IdMixin, TimestampMixin, UTCDateTime


class StepStatus(StrEnum):
    pending = "pending"
    done = "done"
    failed = "failed"  # this run failed; the event's next run tries again
    dead = "dead"  # no more runs: in the DLQ


class EventStep(IdMixin, TimestampMixin, Base):
    """The outcome of one named step of one event. A step marked `done` never runs again."""

    __tablename__ = "integration_event_steps"
    __table_args__ = (UniqueConstraint("event_id", "name", name="uq_integration_event_steps_event_name"),)

    event_id: Mapped[int] = mapped_column(
        BigIntPK, ForeignKey("integration_events.id", ondelete="CASCADE"), nullable=False
    )
    name: Mapped[str] = mapped_column(String(80), nullable=False)
    position: Mapped[int] = mapped_column(Integer, nullable=False)
    status: Mapped[str] = mapped_column(String(16), nullable=False, default=StepStatus.pending)
    attempts: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    # Sent downstream (`Idempotency-Key`) by every call the step makes; the same on every retry.
    idempotency_key: Mapped[str] = mapped_column(String(190), nullable=False)
    output: Mapped[str | None] = mapped_column(Text, nullable=True)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    # A run holds the step until `claimed_until` (its job's deadline), so two runs never overlap.
    claimed_by: Mapped[str | None] = mapped_column(String(32), nullable=True)
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
