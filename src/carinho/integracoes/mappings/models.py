from __future__ import annotations

from sqlalchemy import Boolean, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from carinho.integracoes.database import Base
from carinho.kit.db import IdMixin, TimestampMixin


class MappingVersion(IdMixin, TimestampMixin, Base):
    """One version of the transform of an event type's payload for a target system. Versions are
    never edited: a change is a new version; exactly one version per pair is active."""

    __tablename__ = "integration_mappings"
    __table_args__ = (
        UniqueConstraint("event_type", "target_system", "version", name="uq_integration_mappings_version"),
        Index("ix_integration_mappings_pair_active", "event_type", "target_system", "is_active"),
    )

    event_type: Mapped[str] = mapped_column(String(80), nullable=False)
    target_system: Mapped[str] = mapped_column(String(40), nullable=False)
    version: Mapped[int] = mapped_column(Integer, nullable=False)
    spec: Mapped[str] = mapped_column(Text, nullable=False)
    description: Mapped[str] = mapped_column(String(500), nullable=False, default="")
    is_active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    created_by: Mapped[str] = mapped_column(String(80), nullable=False, default="")


class MappingGeneration(Base):
    """A counter bumped by every mapping change: each process compares it with its cache's (one
    primary-key read) and reloads the active mappings when it moved."""

    __tablename__ = "integration_mapping_generation"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    generation: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    # Random per row: a database recreated from scratch never matches an old cache by accident.
    token: Mapped[str] = mapped_column(String(32), nullable=False)
