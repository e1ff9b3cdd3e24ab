from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, BigInteger, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from carinho.integracoes.database import Base
from carinho.kit.db import IdMixin, TimestampMixin, UTCDateTime


class SyncStatus(StrEnum):
    queued = "queued"
    running = "running"
    succeeded = "succeeded"
    partial = "partial"  # some records failed; they are read again next run
    failed = "failed"  # the run could not complete (source unreachable, ...)
    skipped = "skipped"  # another run of the same sync was in progress


class SyncJob(IdMixin, TimestampMixin, Base):
    """One run of one sync, with its counters (the seed's `sync_jobs`)."""

    __tablename__ = "sync_jobs"
    __table_args__ = (Index("ix_sync_jobs_name_started_at", "name", "started_at"),)

    name: Mapped[str] = mapped_column(String(60), nullable=False)
    trigger: Mapped[str] = mapped_column(String(16), nullable=False)  # schedule | manual
    status: Mapped[str] = mapped_column(String(16), nullable=False)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    duration_ms: Mapped[int | None] = mapped_column(Integer, nullable=True)
    read_count: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    created_count: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    updated_count: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    skipped_count: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    failed_count: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    errors: Mapped[list[dict[str, Any]]] = mapped_column(JSON, nullable=False, default=list)
    watermark_from: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    watermark_to: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class SyncWatermark(Base):
    """How far each sync has read its source (the `updated_at` of the newest record synced)."""

    __tablename__ = "sync_watermarks"

    name: Mapped[str] = mapped_column(String(60), primary_key=True)
    watermark: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)


class SyncRecord(IdMixin, Base):
    """What a sync last wrote for a source record: an unchanged record is skipped, not re-sent."""

    __tablename__ = "sync_records"
    __table_args__ = (UniqueConstraint("name", "source_id", name="uq_sync_records_name_source_id"),)

    name: Mapped[str] = mapped_column(String(60), nullable=False)
    source_id: Mapped[str] = mapped_column(String(64), nullable=False)
    content_hash: Mapped[str] = mapped_column(String(64), nullable=False)
    target_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    synced_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)


class SyncAlert(IdMixin, TimestampMixin, Base):
    """A failing sync (seed: "Sync jobs falhando"), for the ops console and the API."""

    __tablename__ = "sync_alerts"

    name: Mapped[str] = mapped_column(String(60), nullable=False)
    sync_job_id: Mapped[int] = mapped_column(BigInteger, nullable=False)
    status: Mapped[str] = mapped_column(String(16), nullable=False)
    message: Mapped[str] = mapped_column(Text, nullable=False)
