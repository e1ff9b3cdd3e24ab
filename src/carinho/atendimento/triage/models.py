from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, BigInteger, Boolean, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from carinho.atendimento.database import Base
from carinho.kit.clock import utcnow
from carinho.kit.db import IdMixin, TimestampMixin, UTCDateTime
from carinho.kit.labeled_enum import LabeledEnum


class QuestionType(LabeledEnum):
    text = "text", "Texto"
    yes_no = "yes_no", "Sim ou não"
    single_choice = "single_choice", "Escolha única"
    multiple_choice = "multiple_choice", "Múltipla escolha"
    number = "number", "Número"
    date = "date", "Data"


class TriageOutcome(StrEnum):
    qualified = "qualified"
    not_qualified = "not_qualified"


class TriageChecklist(IdMixin, TimestampMixin, Base):
    """One version of a checklist; versions are immutable once created, a change is a new version."""

    __tablename__ = "triage_checklists"

    key: Mapped[str] = mapped_column(String(64), nullable=False)
    version: Mapped[int] = mapped_column(Integer, nullable=False)
    title: Mapped[str] = mapped_column(String(160), nullable=False)
    # The current version of a key is the one new triages use.
    current: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    created_by_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True)

    questions: Mapped[list[TriageQuestion]] = relationship(
        lazy="raise", order_by="TriageQuestion.position", cascade="all, delete-orphan"
    )

    __table_args__ = (UniqueConstraint("key", "version", name="uq_triage_checklists_key_version"),)


class TriageQuestion(IdMixin, Base):
    __tablename__ = "triage_questions"

    checklist_id: Mapped[int] = mapped_column(
        ForeignKey("triage_checklists.id", ondelete="CASCADE"), nullable=False, index=True
    )
    code: Mapped[str] = mapped_column(String(64), nullable=False)
    position: Mapped[int] = mapped_column(Integer, nullable=False)
    text: Mapped[str] = mapped_column(String(255), nullable=False)
    qtype: Mapped[str] = mapped_column(String(24), nullable=False)
    required: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    options: Mapped[list[str]] = mapped_column(JSON, nullable=False, default=list)
    # Answers that disqualify the lead (e.g. outside the service area).
    disqualifying: Mapped[list[Any]] = mapped_column(JSON, nullable=False, default=list)

    __table_args__ = (UniqueConstraint("checklist_id", "code", name="uq_triage_questions_checklist_code"),)


class TriageSession(IdMixin, TimestampMixin, Base):
    """A conversation's triage on one checklist version."""

    __tablename__ = "triage_sessions"

    conversation_id: Mapped[int] = mapped_column(
        ForeignKey("conversations.id", ondelete="CASCADE"), nullable=False
    )
    checklist_id: Mapped[int] = mapped_column(ForeignKey("triage_checklists.id"), nullable=False)
    status: Mapped[str] = mapped_column(String(16), nullable=False, default="in_progress")
    outcome: Mapped[str | None] = mapped_column(String(16), nullable=True)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)

    __table_args__ = (
        UniqueConstraint("conversation_id", "checklist_id", name="uq_triage_sessions_conversation_checklist"),
    )


class TriageAnswer(IdMixin, Base):
    __tablename__ = "triage_answers"

    session_id: Mapped[int] = mapped_column(
        ForeignKey("triage_sessions.id", ondelete="CASCADE"), nullable=False
    )
    question_id: Mapped[int] = mapped_column(ForeignKey("triage_questions.id"), nullable=False)
    value: Mapped[Any] = mapped_column(JSON, nullable=True)
    answered_by_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    answered_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)

    __table_args__ = (
        UniqueConstraint("session_id", "question_id", name="uq_triage_answers_session_question"),
    )
