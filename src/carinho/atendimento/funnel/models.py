from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import BigInteger, Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from carinho.atendimento.database import Base
from carinho.kit.clock import utcnow
from carinho.kit.db import IdMixin, TimestampMixin, UTCDateTime
from carinho.kit.labeled_enum import LabeledEnum


class FunnelStage(LabeledEnum):
    new = "new", "Novo"
    in_service = "in_service", "Em atendimento"
    qualified = "qualified", "Qualificado"
    proposal_sent = "proposal_sent", "Proposta enviada"
    won = "won", "Ganho"
    lost = "lost", "Perdido"


# Forward moves, `lost` from any open stage, and a lost lead may come back into service.
ALLOWED_TRANSITIONS: dict[FunnelStage, frozenset[FunnelStage]] = {
    FunnelStage.new: frozenset({FunnelStage.in_service, FunnelStage.qualified, FunnelStage.lost}),
    FunnelStage.in_service: frozenset({FunnelStage.qualified, FunnelStage.lost}),
    FunnelStage.qualified: frozenset({FunnelStage.proposal_sent, FunnelStage.in_service, FunnelStage.lost}),
    FunnelStage.proposal_sent: frozenset({FunnelStage.won, FunnelStage.lost, FunnelStage.qualified}),
    FunnelStage.won: frozenset(),
    FunnelStage.lost: frozenset({FunnelStage.in_service}),
}


def stage_for_new_conversation(previous_stage: str | None) -> str:
    """A returning lead keeps its stage; a finished one (won/lost) starts over."""
    if previous_stage is None or previous_stage in (FunnelStage.won, FunnelStage.lost):
        return FunnelStage.new.value
    return previous_stage


class LossReason(IdMixin, TimestampMixin, Base):
    __tablename__ = "loss_reasons"

    code: Mapped[str] = mapped_column(String(48), nullable=False, unique=True)
    label: Mapped[str] = mapped_column(String(120), nullable=False)
    active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    position: Mapped[int] = mapped_column(Integer, nullable=False, default=0)


class FunnelTransition(IdMixin, Base):
    __tablename__ = "funnel_transitions"

    conversation_id: Mapped[int] = mapped_column(
        ForeignKey("conversations.id", ondelete="CASCADE"), nullable=False
    )
    contact_id: Mapped[int] = mapped_column(BigInteger, nullable=False)
    from_stage: Mapped[str] = mapped_column(String(24), nullable=False)
    to_stage: Mapped[str] = mapped_column(String(24), nullable=False)
    actor_type: Mapped[str] = mapped_column(String(16), nullable=False)
    agent_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    loss_reason_id: Mapped[int | None] = mapped_column(ForeignKey("loss_reasons.id"), nullable=True)
    note: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)

    __table_args__ = (
        Index("ix_funnel_transitions_conversation", "conversation_id", "created_at"),
        # The Funil report's counts, answered from the index alone (migration 0013).
        Index(
            "ix_funnel_transitions_stage_created_conv",
            "to_stage",
            "created_at",
            "conversation_id",
            "loss_reason_id",
        ),
    )


class DocumentKind(StrEnum):
    proposal = "proposal"
    contract = "contract"


class DocumentDispatch(IdMixin, TimestampMixin, Base):
    """A proposal or contract e-mailed to the client, sent by a job; recorded whatever happens."""

    __tablename__ = "document_dispatches"

    conversation_id: Mapped[int] = mapped_column(
        ForeignKey("conversations.id", ondelete="CASCADE"), nullable=False, index=True
    )
    kind: Mapped[str] = mapped_column(String(16), nullable=False)
    email: Mapped[str] = mapped_column(String(190), nullable=False)
    subject: Mapped[str] = mapped_column(String(200), nullable=False)
    body: Mapped[str] = mapped_column(Text, nullable=False)
    document_url: Mapped[str | None] = mapped_column(String(1000), nullable=True)
    status: Mapped[str] = mapped_column(String(16), nullable=False, default="queued")
    provider_message_id: Mapped[str | None] = mapped_column(String(190), nullable=True)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    agent_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
