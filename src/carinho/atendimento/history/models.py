from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, BigInteger, Index, String, event
from sqlalchemy.orm import Mapped, mapped_column

from carinho.atendimento.database import Base
from carinho.kit.clock import utcnow
from carinho.kit.db import IdMixin, UTCDateTime


class ActorType(StrEnum):
    agent = "agent"
    automation = "automation"
    system = "system"
    contact = "contact"


class HistoryEntry(IdMixin, Base):
    """One action. Never updated nor deleted; no foreign keys so entries outlive what they describe."""

    __tablename__ = "history_entries"

    conversation_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    action: Mapped[str] = mapped_column(String(48), nullable=False)
    actor_type: Mapped[str] = mapped_column(String(16), nullable=False)
    actor_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    # The name at the time of the action, so the trail reads the same after an agent is renamed.
    actor_name: Mapped[str] = mapped_column(String(120), nullable=False, default="")
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    details: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    request_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)

    __table_args__ = (
        Index("ix_history_entries_conversation_created", "conversation_id", "created_at"),
        Index("ix_history_entries_action_created", "action", "created_at"),
        Index("ix_history_entries_created", "created_at"),
    )


class HistoryIsAppendOnly(Exception):
    pass


@event.listens_for(HistoryEntry, "before_update")
def _refuse_update(*_: Any) -> None:
    raise HistoryIsAppendOnly("history entries are append-only")


@event.listens_for(HistoryEntry, "before_delete")
def _refuse_delete(*_: Any) -> None:
    raise HistoryIsAppendOnly("history entries are append-only")
