"""Tables of the retention package: the policy per data class, the legal exceptions of an erasure,
each anonymisation run, and each data-subject request."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, BigInteger, Boolean, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from carinho.atendimento.database import Base
from carinho.kit.clock import utcnow
from carinho.kit.db import IdMixin, TimestampMixin, UTCDateTime
from carinho.kit.labeled_enum import LabeledEnum


class DataClass(LabeledEnum):
    message_text = "message_text", "Texto das conversas (mensagens, notas, triagem, observações)"
    attachments = "attachments", "Anexos (links de mídia, nomes de arquivo, legendas)"
    contact_data = "contact_data", "Dados do contato (nome, telefone, e-mail)"
    audit_trail = "audit_trail", "Valores pessoais no histórico de ações"


# Months after which each class is anonymised (None = keep forever).
DEFAULT_MONTHS: dict[DataClass, int | None] = {
    DataClass.message_text: 24,
    DataClass.attachments: 12,
    DataClass.contact_data: 60,
    DataClass.audit_trail: 60,
}


class RetentionPolicy(IdMixin, TimestampMixin, Base):
    __tablename__ = "retention_policies"

    data_class: Mapped[str] = mapped_column(String(32), nullable=False, unique=True)
    # NULL or 0: keep forever.
    months: Mapped[int | None] = mapped_column(Integer, nullable=True)
    updated_by_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True)


class RetentionSettings(IdMixin, TimestampMixin, Base):
    """The legal exceptions an erasure honours, and how long an export stays downloadable (one row)."""

    __tablename__ = "retention_settings"

    keep_active_conversations: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    keep_open_incidents: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    keep_contracts: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    contract_retention_months: Mapped[int] = mapped_column(Integer, nullable=False, default=60)
    export_ttl_days: Mapped[int] = mapped_column(Integer, nullable=False, default=7)
    updated_by_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True)


class RunStatus(StrEnum):
    running = "running"
    done = "done"


class RetentionRun(IdMixin, Base):
    """One anonymisation run. It advances one batch per job, so its position (step, cursor) is
    committed with each batch and a crash resumes where it stopped."""

    __tablename__ = "retention_runs"

    status: Mapped[str] = mapped_column(String(16), nullable=False, default=RunStatus.running)
    trigger: Mapped[str] = mapped_column(String(16), nullable=False, default="schedule")
    requested_by_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # {data_class: ISO instant or null}: fixed at the start so a resumed run keeps its cut.
    cutoffs: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False, default=dict)
    batch_size: Mapped[int] = mapped_column(Integer, nullable=False, default=500)
    step: Mapped[str] = mapped_column(String(32), nullable=False)
    cursor: Mapped[int] = mapped_column(BigInteger, nullable=False, default=0)
    batches: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    counts: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False, default=dict)
    details: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False, default=dict)
    sources: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False, default=dict)
    # How far the audit trail has been scrubbed: (created_at, id) of the last entry looked at.
    # Carried from run to run, so each entry is read once, not every day.
    audit_through_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    audit_through_id: Mapped[int] = mapped_column(BigInteger, nullable=False, default=0)

    __table_args__ = (Index("ix_retention_runs_status_started", "status", "started_at"),)


class RequestKind(StrEnum):
    export = "export"
    erase = "erase"


class RequestStatus(StrEnum):
    completed = "completed"
    # Erasure done, but some records were kept under a legal exception (listed in the result).
    completed_with_exceptions = "completed_with_exceptions"
    no_data = "no_data"


class PrivacyRequest(IdMixin, TimestampMixin, Base):
    """A data-subject request. The subject is stored masked: the row must outlive an erasure."""

    __tablename__ = "privacy_requests"

    kind: Mapped[str] = mapped_column(String(16), nullable=False)
    status: Mapped[str] = mapped_column(String(32), nullable=False)
    subject_type: Mapped[str] = mapped_column(String(8), nullable=False)  # phone | email
    subject_masked: Mapped[str] = mapped_column(String(190), nullable=False)
    reason: Mapped[str] = mapped_column(Text, nullable=False)
    requester_type: Mapped[str] = mapped_column(String(16), nullable=False)  # agent | cli
    requester_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    requester_name: Mapped[str] = mapped_column(String(120), nullable=False, default="")
    contact_ids: Mapped[list[int]] = mapped_column(JSON, nullable=False, default=list)
    result: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False, default=dict)
    # The export itself, downloadable until `export_expires_at`; the daily run clears it after.
    export_data: Mapped[dict[str, Any] | None] = mapped_column(JSON(none_as_null=True), nullable=True)
    export_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # An erasure is passed on to the hub (integracoes) by a job retried until the hub confirms:
    # pending -> done; NULL for exports and when no hub is configured. Details in result["hub"].
    hub_status: Mapped[str | None] = mapped_column(String(16), nullable=True)

    __table_args__ = (
        Index("ix_privacy_requests_created", "created_at"),
        Index("ix_privacy_requests_hub_status", "hub_status"),
    )
