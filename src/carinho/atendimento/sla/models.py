"""Tables of the sla package.

- `sla_policies`: the targets per priority (business minutes), editable by supervisors.
- `sla_conversations`: each conversation's SLA state (1:1): overall status, the pause in progress
  and the paused intervals.
- `sla_targets`: one row per measured target: the first response, the resolution, and one per
  next-response cycle (each customer message after a reply starts one). Due and at-risk instants
  are stored and indexed, so the monitor only reads what is about to change; the business and wall
  durations are stored when a target ends, so reports are aggregates.
- `sla_breaches`: each breach (which target, by how much, who held the conversation).
- `sla_alert_settings`: thresholds of the backlog and send-failure alerts (one row).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from carinho.atendimento.database import Base
from carinho.kit.db import BigIntPK, IdMixin, TimestampMixin, UTCDateTime
from carinho.kit.labeled_enum import LabeledEnum


class Target(LabeledEnum):
    first_response = "first_response", "primeira resposta"
    next_response = "next_response", "próxima resposta"
    resolution = "resolution", "resolução"


class SlaStatus(LabeledEnum):
    ok = "ok", "no prazo"
    at_risk = "at_risk", "em risco"
    breached = "breached", "violado"
    met = "met", "cumprido"
    # The conversation ended before the target could be met (resolved with no reply to a message).
    cancelled = "cancelled", "encerrado sem resposta"


RUNNING = (SlaStatus.ok.value, SlaStatus.at_risk.value, SlaStatus.breached.value)


class SlaPolicy(IdMixin, TimestampMixin, Base):
    __tablename__ = "sla_policies"

    priority: Mapped[str] = mapped_column(String(16), nullable=False, unique=True)
    first_response_minutes: Mapped[int] = mapped_column(Integer, nullable=False)
    next_response_minutes: Mapped[int] = mapped_column(Integer, nullable=False)
    resolution_minutes: Mapped[int] = mapped_column(Integer, nullable=False)
    at_risk_percent: Mapped[int] = mapped_column(Integer, nullable=False, default=80)
    pause_while_waiting_customer: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)

    def minutes_for(self, target: Target) -> int:
        return int(getattr(self, f"{target.value}_minutes"))


class ConversationSla(IdMixin, TimestampMixin, Base):
    __tablename__ = "sla_conversations"

    conversation_id: Mapped[int] = mapped_column(
        BigIntPK, ForeignKey("conversations.id", ondelete="CASCADE"), nullable=False, unique=True
    )
    priority: Mapped[str] = mapped_column(String(16), nullable=False)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    # The worst status among the running targets; `met` once none runs.
    status: Mapped[str] = mapped_column(String(16), nullable=False, default=SlaStatus.ok)
    # Set while the clock is paused (waiting for the customer, when the policy says so).
    paused_since: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    paused_business_minutes: Mapped[float] = mapped_column(Float, nullable=False, default=0.0)
    # [{"start": iso, "end": iso, "business_minutes": float}, ...]
    pauses: Mapped[list[Any]] = mapped_column(JSON, nullable=False, default=list)

    __table_args__ = (Index("ix_sla_conversations_status", "status"),)


class SlaTarget(IdMixin, TimestampMixin, Base):
    __tablename__ = "sla_targets"

    conversation_id: Mapped[int] = mapped_column(
        BigIntPK, ForeignKey("conversations.id", ondelete="CASCADE"), nullable=False
    )
    target: Mapped[str] = mapped_column(String(16), nullable=False)
    # 1 for first response and resolution; next-response cycles count up.
    cycle: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    priority: Mapped[str] = mapped_column(String(16), nullable=False)
    target_minutes: Mapped[int] = mapped_column(Integer, nullable=False)
    status: Mapped[str] = mapped_column(String(16), nullable=False, default=SlaStatus.ok)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    at_risk_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    paused_since: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    paused_business_minutes: Mapped[float] = mapped_column(Float, nullable=False, default=0.0)
    # Bumped by a recompute (priority change), so a later transition alerts again.
    revision: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    at_risk_since: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    breached_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # NULL while undecided (or cancelled before its due time); decided by meeting it or breaching it.
    met_in_time: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    # Durations from start to end: business minutes without the pauses, and wall-clock minutes.
    business_minutes: Mapped[float | None] = mapped_column(Float, nullable=True)
    wall_minutes: Mapped[float | None] = mapped_column(Float, nullable=True)
    # Who answered (responses) or held the conversation when it ended or breached.
    agent_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True)

    __table_args__ = (
        UniqueConstraint("conversation_id", "target", "cycle", name="uq_sla_targets_conversation_cycle"),
        Index("ix_sla_targets_status_at_risk", "status", "at_risk_at"),
        Index("ix_sla_targets_status_due", "status", "due_at"),
        Index("ix_sla_targets_started", "started_at"),
        Index("ix_sla_targets_target_ended", "target", "ended_at"),
    )


class SlaBreach(IdMixin, Base):
    __tablename__ = "sla_breaches"

    conversation_id: Mapped[int] = mapped_column(
        BigIntPK, ForeignKey("conversations.id", ondelete="CASCADE"), nullable=False
    )
    target_id: Mapped[int] = mapped_column(
        BigIntPK, ForeignKey("sla_targets.id", ondelete="CASCADE"), nullable=False
    )
    target: Mapped[str] = mapped_column(String(16), nullable=False)
    revision: Mapped[int] = mapped_column(Integer, nullable=False)
    priority: Mapped[str] = mapped_column(String(16), nullable=False)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    detected_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    # Business minutes past the due time: when detected, then final when the target ends.
    overdue_business_minutes: Mapped[float] = mapped_column(Float, nullable=False, default=0.0)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    assignee_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    assignee_name: Mapped[str | None] = mapped_column(String(120), nullable=True)
    level: Mapped[str] = mapped_column(String(4), nullable=False)

    __table_args__ = (
        UniqueConstraint("target_id", "revision", name="uq_sla_breaches_target_revision"),
        Index("ix_sla_breaches_conversation", "conversation_id"),
        Index("ix_sla_breaches_detected", "detected_at"),
    )


class SlaAlertSettings(IdMixin, TimestampMixin, Base):
    """Thresholds of the operational alerts (one row; supervisors edit it)."""

    __tablename__ = "sla_alert_settings"

    # Active conversations without an assignee above this: an alert.
    backlog_unassigned_threshold: Mapped[int] = mapped_column(Integer, nullable=False, default=15)
    # Conversations waiting for our reply above this: an alert.
    backlog_waiting_threshold: Mapped[int] = mapped_column(Integer, nullable=False, default=25)
    # Waiting conversations grew by at least this many within the window: an alert.
    backlog_growth_threshold: Mapped[int] = mapped_column(Integer, nullable=False, default=10)
    backlog_window_minutes: Mapped[int] = mapped_column(Integer, nullable=False, default=30)
    # Failed sends within the window at or above this: one aggregated alert.
    send_failures_threshold: Mapped[int] = mapped_column(Integer, nullable=False, default=5)
    send_failures_window_minutes: Mapped[int] = mapped_column(Integer, nullable=False, default=15)
    # Which conditions are currently raised ({"unassigned": iso, ...}): one alert per episode.
    raised: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False, default=dict)
    # Recent samples of the waiting count [[iso, count], ...] for the growth rule.
    samples: Mapped[list[Any]] = mapped_column(JSON, nullable=False, default=list)
