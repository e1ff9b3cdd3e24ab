from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from carinho.integracoes.database import Base
from carinho.kit.db import IdMixin, TimestampMixin, UTCDateTime


class WebhookEndpoint(IdMixin, TimestampMixin, Base):
    """A target system's URL subscribed to event types (none listed = every type).

    Secrets are stored through `secret_box` (encrypted at rest when a key is configured). During a
    rotation's grace period the previous secret still signs, next to the new one.
    """

    __tablename__ = "webhook_endpoints"
    __table_args__ = (Index("ix_webhook_endpoints_target_system", "target_system"),)

    url: Mapped[str] = mapped_column(String(2000), nullable=False)
    target_system: Mapped[str] = mapped_column(String(40), nullable=False)
    description: Mapped[str] = mapped_column(String(500), nullable=False, default="")
    event_types: Mapped[list[str]] = mapped_column(JSON, nullable=False, default=list)
    secret: Mapped[str] = mapped_column(Text, nullable=False)
    previous_secret: Mapped[str | None] = mapped_column(Text, nullable=True)
    previous_secret_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # Seconds to wait before each retry; empty means the hub's default schedule.
    retry_schedule: Mapped[list[int] | None] = mapped_column(JSON, nullable=True)
    disabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    disabled_reason: Mapped[str | None] = mapped_column(String(200), nullable=True)
    # First delivery that exhausted its retries since the last success (auto-disable clock).
    failing_since: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)

    @property
    def enabled(self) -> bool:
        return self.disabled_at is None and self.deleted_at is None

    def subscribes_to(self, event_type: str) -> bool:
        types: list[Any] = self.event_types or []
        return not types or event_type in types
