"""Tables of the escalation package: rules, their firings, escalations and the settings row."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, BigInteger, Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from carinho.atendimento.database import Base
from carinho.kit.clock import utcnow
from carinho.kit.db import IdMixin, TimestampMixin, UTCDateTime
from carinho.kit.labeled_enum import LabeledEnum


class RuleKind(LabeledEnum):
    sla_at_risk = "sla_at_risk", "SLA em risco"
    sla_breached = "sla_breached", "SLA violado"
    keyword = "keyword", "Palavras-chave na mensagem do cliente"
    triage_answer = "triage_answer", "Resposta da triagem"
    asks_supervisor = "asks_supervisor", "Cliente pede supervisor ou responsável"
    reopenings = "reopenings", "Reaberturas repetidas"


class Direction(StrEnum):
    up = "up"
    down = "down"


class OperacaoStatus(StrEnum):
    pending = "pending"
    delivered = "delivered"
    failed = "failed"


class EscalationRule(IdMixin, TimestampMixin, Base):
    """An automatic escalation a supervisor configures. Which fields matter depends on `kind`."""

    __tablename__ = "escalation_rules"

    name: Mapped[str] = mapped_column(String(120), nullable=False)
    kind: Mapped[str] = mapped_column(String(24), nullable=False)
    target_level: Mapped[str] = mapped_column(String(4), nullable=False)
    raise_priority: Mapped[str | None] = mapped_column(String(16), nullable=True)
    notify_operacao: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    opens_emergency: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    # keyword / asks_supervisor: words or phrases (matched without accents or case).
    keywords: Mapped[list[str]] = mapped_column(JSON, nullable=False, default=list)
    # triage_answer: the question's code and the answers that fire the rule.
    question_code: Mapped[str | None] = mapped_column(String(64), nullable=True)
    answer_values: Mapped[list[str]] = mapped_column(JSON, nullable=False, default=list)
    # sla_at_risk / sla_breached: only this target (first_response, next_response, resolution); NULL = any.
    sla_target: Mapped[str | None] = mapped_column(String(24), nullable=True)
    # reopenings: this many within window_hours.
    threshold: Mapped[int | None] = mapped_column(Integer, nullable=True)
    window_hours: Mapped[int | None] = mapped_column(Integer, nullable=True)
    updated_by_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True)

    __table_args__ = (Index("ix_escalation_rules_kind_active", "kind", "active"),)


class RuleFiring(IdMixin, Base):
    """A rule acted on a conversation; the unique pair makes it act once only, even under races."""

    __tablename__ = "escalation_rule_firings"

    rule_id: Mapped[int] = mapped_column(BigInteger, nullable=False)
    conversation_id: Mapped[int] = mapped_column(
        ForeignKey("conversations.id", ondelete="CASCADE"), nullable=False, index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)

    __table_args__ = (UniqueConstraint("rule_id", "conversation_id"),)


class Escalation(IdMixin, Base):
    """One change of level, up or down, with who asked for it and what happened to the assignee."""

    __tablename__ = "escalations"

    conversation_id: Mapped[int] = mapped_column(
        ForeignKey("conversations.id", ondelete="CASCADE"), nullable=False
    )
    direction: Mapped[str] = mapped_column(String(8), nullable=False)
    from_level: Mapped[str] = mapped_column(String(4), nullable=False)
    to_level: Mapped[str] = mapped_column(String(4), nullable=False)
    reason: Mapped[str] = mapped_column(Text, nullable=False)
    # Kept without foreign keys: the record outlives a deleted rule or agent.
    rule_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    agent_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    assignee_before_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    assignee_after_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    notify_operacao: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    operacao_status: Mapped[str | None] = mapped_column(String(16), nullable=True)
    operacao_attempts: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    operacao_protocol: Mapped[str | None] = mapped_column(String(64), nullable=True)
    operacao_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    operacao_delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)

    __table_args__ = (Index("ix_escalations_conversation_created", "conversation_id", "created_at"),)


class EscalationSettings(IdMixin, TimestampMixin, Base):
    """The one row of escalation settings a supervisor edits."""

    __tablename__ = "escalation_settings"

    auto_reassign_enabled: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    auto_reassign_minutes: Mapped[int] = mapped_column(Integer, nullable=False, default=15)
    updated_by_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True)

    def snapshot(self) -> dict[str, Any]:
        return {
            "auto_reassign_enabled": self.auto_reassign_enabled,
            "auto_reassign_minutes": self.auto_reassign_minutes,
        }
