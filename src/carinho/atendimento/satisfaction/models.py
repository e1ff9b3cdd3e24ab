"""Tables of the satisfaction package: NPS surveys, detractor follow-ups and the settings row."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, BigInteger, Boolean, ForeignKey, Index, Integer, SmallInteger, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from carinho.atendimento.database import Base
from carinho.kit.db import BigIntPK, IdMixin, TimestampMixin, UTCDateTime


class SurveyStatus(StrEnum):
    scheduled = "scheduled"  # waiting for its delayed send (or for the conversation to end again)
    sent = "sent"
    answered = "answered"


class SurveySource(StrEnum):
    conversation = "conversation"  # a conversation was resolved or closed
    service = "service"  # the hub asked, after a service


class AnswerChannel(StrEnum):
    whatsapp = "whatsapp"
    link = "link"


class FollowupStatus(StrEnum):
    open = "open"
    done = "done"


class Survey(IdMixin, TimestampMixin, Base):
    __tablename__ = "satisfaction_surveys"

    source: Mapped[str] = mapped_column(String(16), nullable=False)
    status: Mapped[str] = mapped_column(String(16), nullable=False, default=SurveyStatus.scheduled)
    # The link's credential: random, never derived from an id.
    token: Mapped[str] = mapped_column(String(64), nullable=False, unique=True)
    contact_id: Mapped[int] = mapped_column(
        BigIntPK, ForeignKey("contacts.id", ondelete="CASCADE"), nullable=False
    )
    # The conversation whose thread carries the survey and its answer.
    conversation_id: Mapped[int] = mapped_column(
        BigIntPK, ForeignKey("conversations.id", ondelete="CASCADE"), nullable=False
    )
    # Equals conversation_id for a conversation survey, NULL for a service survey: the unique index
    # is what makes "one survey per conversation" hold, even when two resolutions race.
    conversation_key: Mapped[int | None] = mapped_column(BigInteger, nullable=True, unique=True)
    service_id: Mapped[str | None] = mapped_column(String(64), nullable=True, unique=True)
    # Snapshot at send time, so that reports do not shift when the conversation changes later.
    agent_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    level: Mapped[str | None] = mapped_column(String(4), nullable=True)
    labels: Mapped[list[str]] = mapped_column(JSON, nullable=False, default=list)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    message_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    reminder_message_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    score: Mapped[int | None] = mapped_column(SmallInteger, nullable=True)
    csat: Mapped[int | None] = mapped_column(SmallInteger, nullable=True)
    comment: Mapped[str | None] = mapped_column(Text, nullable=True)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    answer_channel: Mapped[str | None] = mapped_column(String(16), nullable=True)
    late: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    # A free-text WhatsApp message until then becomes the comment of a score-only answer.
    comment_until: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)

    __table_args__ = (
        Index("ix_satisfaction_surveys_contact_status", "contact_id", "status"),
        Index("ix_satisfaction_surveys_status_sent", "status", "sent_at"),
        Index("ix_satisfaction_surveys_conversation", "conversation_id"),
        Index("ix_satisfaction_surveys_answered", "answered_at"),
    )


class Followup(IdMixin, TimestampMixin, Base):
    """A supervisor's task: call back a detractor (score 0–6)."""

    __tablename__ = "satisfaction_followups"

    survey_id: Mapped[int] = mapped_column(
        BigIntPK, ForeignKey("satisfaction_surveys.id", ondelete="CASCADE"), nullable=False, unique=True
    )
    conversation_id: Mapped[int] = mapped_column(BigInteger, nullable=False)
    status: Mapped[str] = mapped_column(String(8), nullable=False, default=FollowupStatus.open)
    assignee_id: Mapped[int | None] = mapped_column(
        BigIntPK, ForeignKey("agents.id", ondelete="SET NULL"), nullable=True
    )
    due_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    note: Mapped[str | None] = mapped_column(Text, nullable=True)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    done_by_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True)

    __table_args__ = (Index("ix_satisfaction_followups_status_due", "status", "due_at"),)


class SatisfactionSettings(IdMixin, TimestampMixin, Base):
    """One row, edited by a supervisor (GET/PUT /api/satisfaction/settings)."""

    __tablename__ = "satisfaction_settings"

    enabled: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    send_delay_minutes: Mapped[int] = mapped_column(Integer, nullable=False, default=5)
    reminder_after_hours: Mapped[int] = mapped_column(Integer, nullable=False, default=24)
    late_after_days: Mapped[int] = mapped_column(Integer, nullable=False, default=7)
    whatsapp_reply_days: Mapped[int] = mapped_column(Integer, nullable=False, default=30)
    update_window_days: Mapped[int] = mapped_column(Integer, nullable=False, default=7)
    comment_window_minutes: Mapped[int] = mapped_column(Integer, nullable=False, default=15)
    csat_enabled: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    followup_due_hours: Mapped[int] = mapped_column(Integer, nullable=False, default=8)
    updated_by_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
