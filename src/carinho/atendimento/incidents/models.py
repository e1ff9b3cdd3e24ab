"""Incidents (ocorrências) and emergencies: categories, the incident itself, and its timeline."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from carinho.atendimento.agents.models import Agent
from carinho.atendimento.database import Base
from carinho.kit.clock import utcnow
from carinho.kit.db import IdMixin, TimestampMixin, UTCDateTime
from carinho.kit.labeled_enum import LabeledEnum


class Severity(LabeledEnum):
    low = "low", "Baixa"
    medium = "medium", "Média"
    high = "high", "Alta"
    critical = "critical", "Crítica"

    @property
    def operacao(self) -> str:
        """The value operação's contract uses (docs/contratos/operacao.md)."""
        return {"low": "baixa", "medium": "media", "high": "alta", "critical": "critica"}[self]


class IncidentStatus(LabeledEnum):
    open = "open", "Aberta"
    in_progress = "in_progress", "Em andamento"
    resolved = "resolved", "Resolvida"
    closed = "closed", "Fechada"

    @property
    def is_active(self) -> bool:
        return self in (IncidentStatus.open, IncidentStatus.in_progress)


# open -> in_progress -> resolved -> closed; a resolved incident may be reopened; closed is final.
ALLOWED_TRANSITIONS: dict[IncidentStatus, frozenset[IncidentStatus]] = {
    IncidentStatus.open: frozenset({IncidentStatus.in_progress}),
    IncidentStatus.in_progress: frozenset({IncidentStatus.resolved}),
    IncidentStatus.resolved: frozenset({IncidentStatus.closed, IncidentStatus.in_progress}),
    IncidentStatus.closed: frozenset(),
}
ACTIVE_INCIDENT_STATUSES = [IncidentStatus.open.value, IncidentStatus.in_progress.value]


class DeliveryState(LabeledEnum):
    """Where an emergency stands with operação."""

    pending = "pending", "Enviando à operação"
    delivered = "delivered", "Entregue à operação"
    failed = "failed", "Falhou"  # every attempt spent: a person must call operação


# The categories operação knows (EmergencyInput.category).
OPERACAO_CATEGORIES = ("saude", "queda", "ausencia_cuidador", "comportamento", "seguranca", "outros")
# Categories whose automatic WhatsApp text tells the customer to call SAMU (192).
HEALTH_OPERACAO_CATEGORIES = frozenset({"saude", "queda"})


class TimelineAction(LabeledEnum):
    opened = "opened", "Ocorrência aberta"
    updated = "updated", "Ocorrência atualizada"
    status_changed = "status_changed", "Status alterado"
    note = "note", "Anotação"
    emergency_delivered = "emergency_delivered", "Emergência entregue à operação"
    emergency_delivery_failed = "emergency_delivery_failed", "Falha ao comunicar a operação"
    emergency_acknowledged = "emergency_acknowledged", "Emergência reconhecida"
    emergency_redelivery = "emergency_redelivery", "Novo envio à operação solicitado"


class IncidentCategory(IdMixin, TimestampMixin, Base):
    __tablename__ = "incident_categories"

    code: Mapped[str] = mapped_column(String(48), nullable=False, unique=True)
    name: Mapped[str] = mapped_column(String(120), nullable=False)
    default_severity: Mapped[str] = mapped_column(String(16), nullable=False, default=Severity.medium)
    # Incidents of this category are emergencies: reported to operação at once.
    is_emergency: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    operacao_category: Mapped[str] = mapped_column(String(32), nullable=False, default="outros")
    active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    position: Mapped[int] = mapped_column(Integer, nullable=False, default=100)


class Incident(IdMixin, TimestampMixin, Base):
    __tablename__ = "incidents"

    category_id: Mapped[int] = mapped_column(ForeignKey("incident_categories.id"), nullable=False)
    severity: Mapped[str] = mapped_column(String(16), nullable=False)
    title: Mapped[str] = mapped_column(String(200), nullable=False)
    description: Mapped[str | None] = mapped_column(Text, nullable=True)
    status: Mapped[str] = mapped_column(String(16), nullable=False, default=IncidentStatus.open)
    status_changed_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("agents.id", ondelete="SET NULL"), nullable=True)
    created_by_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    resolution: Mapped[str | None] = mapped_column(Text, nullable=True)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # Who it is about: the conversation and its contact, and ids of the other systems.
    conversation_id: Mapped[int | None] = mapped_column(
        ForeignKey("conversations.id", ondelete="SET NULL"), nullable=True
    )
    contact_id: Mapped[int | None] = mapped_column(
        ForeignKey("contacts.id", ondelete="SET NULL"), nullable=True
    )
    crm_client_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    caregiver_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    service_id: Mapped[str | None] = mapped_column(String(64), nullable=True)

    # --- emergencies
    is_emergency: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    # What reported it: "agent", or the name of the escalation rule or automation.
    source: Mapped[str | None] = mapped_column(String(64), nullable=True)
    # Equals conversation_id while an emergency is active, NULL otherwise: the unique index makes
    # "one open emergency per conversation" hold even when two reports race.
    open_emergency_conversation_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True, unique=True)
    # What is sent to operação, frozen at report time: every retry sends the same bytes under the
    # same Idempotency-Key, so a retry after a lost answer never opens a second occurrence.
    operacao_payload: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    delivery_state: Mapped[str | None] = mapped_column(String(16), nullable=True)
    delivery_attempts: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    delivery_last_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    operacao_occurrence_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    operacao_protocol: Mapped[str | None] = mapped_column(String(64), nullable=True)
    alert_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    acknowledged_by_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    acknowledged_by_name: Mapped[str | None] = mapped_column(String(120), nullable=True)
    # Set when retention or a data-subject request scrubbed the free text / the contact's data.
    text_scrubbed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    contact_scrubbed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)

    category: Mapped[IncidentCategory] = relationship(lazy="raise")
    owner: Mapped[Agent | None] = relationship(lazy="raise")

    __table_args__ = (
        Index("ix_incidents_status_severity", "status", "severity"),
        Index("ix_incidents_conversation", "conversation_id"),
        Index("ix_incidents_contact", "contact_id"),
        Index("ix_incidents_owner_status", "owner_id", "status"),
        Index("ix_incidents_category", "category_id"),
        Index("ix_incidents_emergency_ack", "is_emergency", "acknowledged_at"),
    )

    @property
    def is_active(self) -> bool:
        return IncidentStatus(self.status).is_active


class IncidentEvent(IdMixin, Base):
    """One line of an incident's timeline: who did what, with an optional note, and when."""

    __tablename__ = "incident_events"

    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id", ondelete="CASCADE"), nullable=False)
    action: Mapped[str] = mapped_column(String(48), nullable=False)
    actor_type: Mapped[str] = mapped_column(String(16), nullable=False)
    actor_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    actor_name: Mapped[str] = mapped_column(String(120), nullable=False, default="")
    note: Mapped[str | None] = mapped_column(Text, nullable=True)
    details: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)

    __table_args__ = (Index("ix_incident_events_incident_created", "incident_id", "created_at"),)
