"""The hub's data-subject requests: who asked, about whom (masked), and what was found or erased."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, BigInteger, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from carinho.integracoes.database import Base
from carinho.kit.db import IdMixin, TimestampMixin, UTCDateTime


class HubRequestKind(StrEnum):
    export = "export"
    erase = "erase"


class HubPrivacyRequest(IdMixin, TimestampMixin, Base):
    """One export or erase. The subject is stored masked: the row outlives the erasure. `reference`
    is the caller's id of the request (atendimento's data-subject request), so a retried call
    updates the same row instead of adding one."""

    __tablename__ = "hub_privacy_requests"

    kind: Mapped[str] = mapped_column(String(16), nullable=False)
    status: Mapped[str] = mapped_column(String(16), nullable=False)  # completed | no_data
    subject_type: Mapped[str] = mapped_column(String(8), nullable=False)  # phone | email | cpf
    subject_masked: Mapped[str] = mapped_column(String(190), nullable=False)
    reason: Mapped[str] = mapped_column(Text, nullable=False)
    reference: Mapped[str | None] = mapped_column(String(190), nullable=True)
    api_key_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    api_key_name: Mapped[str] = mapped_column(String(120), nullable=False, default="")
    calls: Mapped[int] = mapped_column(BigInteger, nullable=False, default=1)
    result: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False, default=dict)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)

    __table_args__ = (
        Index("ix_hub_privacy_requests_created", "created_at"),
        Index("ix_hub_privacy_requests_reference", "kind", "reference"),
    )
