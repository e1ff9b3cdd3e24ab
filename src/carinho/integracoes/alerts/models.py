"""Alert rules (thresholds an admin edits) and alerts (one row per breach, from pending to resolved)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, BigInteger, Boolean, Float, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from carinho.integracoes.database import Base
from carinho.kit.db import IdMixin, UTCDateTime


class AlertStatus(StrEnum):
    pending = "pending"  # the condition holds, not yet for the rule's window: nobody was told
    open = "open"  # told (e-mail and webhook); shown on the overview
    resolved = "resolved"  # the condition cleared: told once more


class AlertRule(Base):
    """An admin's thresholds for one kind of alert (a kind without a row uses its defaults)."""

    __tablename__ = "hub_alert_rules"

    kind: Mapped[str] = mapped_column(String(40), primary_key=True)
    enabled: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    threshold: Mapped[float] = mapped_column(Float, nullable=False)
    window_minutes: Mapped[int] = mapped_column(Integer, nullable=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    updated_by: Mapped[int | None] = mapped_column(BigInteger, nullable=True)


class HubAlert(IdMixin, Base):
    """One breach of one rule for one subject (a lane, a sync, a target system, or '').

    `open_key` ("kind:subject") is set while the alert is pending or open and cleared when it
    resolves: its unique index is what keeps two concurrent evaluations from opening it twice.
    """

    __tablename__ = "hub_alerts"
    __table_args__ = (
        Index("uq_hub_alerts_open_key", "open_key", unique=True),
        Index("ix_hub_alerts_status_id", "status", "id"),
    )

    kind: Mapped[str] = mapped_column(String(40), nullable=False)
    subject: Mapped[str] = mapped_column(String(80), nullable=False, default="")
    open_key: Mapped[str | None] = mapped_column(String(130), nullable=True)
    status: Mapped[str] = mapped_column(String(16), nullable=False, default=AlertStatus.pending)
    title: Mapped[str] = mapped_column(String(300), nullable=False)
    details: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False, default=dict)
    breached_since: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    opened_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    acknowledged_by: Mapped[str | None] = mapped_column(String(120), nullable=True)
