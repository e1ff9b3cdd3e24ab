"""`live_changes`: one row per conversation and kind of change, written in the changing transaction.

The rows are short-lived (pruned after `RETAIN`): they tell the browsers *which* conversation changed,
never what changed; the pages read the data itself with the usual access rules.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import BigInteger, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from carinho.atendimento.database import Base
from carinho.kit.clock import utcnow
from carinho.kit.db import IdMixin, UTCDateTime

# How long a change stays in the table: a browser reconnecting within it resumes where it was.
RETAIN = timedelta(minutes=10)


class ChangeKind(StrEnum):
    message = "message"  # a new message (or note) in the conversation
    delivery = "delivery"  # an existing message changed: a delivery tick, a failure, a scrub
    conversation = "conversation"  # the conversation itself: new, status, priority, labels, funnel...
    assignment = "assignment"  # its assignee or support level: it may have entered or left a queue
    sla = "sla"  # its SLA clock or targets (started, paused, at risk, breached, met)
    incident = "incident"  # an incident about the conversation was opened or changed


class LiveChange(IdMixin, Base):
    __tablename__ = "live_changes"

    conversation_id: Mapped[int] = mapped_column(BigInteger, nullable=False)
    kind: Mapped[str] = mapped_column(String(24), nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)

    __table_args__ = (
        Index("ix_live_changes_created_at", "created_at"),
        # Readers follow the id: SQLite must never hand out an id again once the table was pruned
        # empty (without AUTOINCREMENT a new row takes max(id) + 1, and a feed past it would skip it).
        {"sqlite_autoincrement": True},
    )
