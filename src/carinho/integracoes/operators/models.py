"""The hub console's people: operator accounts (in the hub's own database) and what they did."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Boolean, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from carinho.integracoes.database import Base
from carinho.integracoes.operators.roles import OperatorRole
from carinho.kit.clock import utcnow
from carinho.kit.db import IdMixin, TimestampMixin, UTCDateTime


class Operator(IdMixin, TimestampMixin, Base):
    __tablename__ = "operators"

    name: Mapped[str] = mapped_column(String(120), nullable=False)
    email: Mapped[str] = mapped_column(String(190), nullable=False, unique=True)
    password_hash: Mapped[str] = mapped_column(String(255), nullable=False)
    role: Mapped[str] = mapped_column(String(16), nullable=False, default=OperatorRole.viewer)
    active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    # Bumped to revoke every session the operator holds (logout everywhere, password change/reset).
    auth_epoch: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)

    @property
    def role_label(self) -> str:
        return OperatorRole(self.role).label

    def has_role(self, minimum: OperatorRole) -> bool:
        return OperatorRole(self.role).rank >= minimum.rank


class ConsoleAudit(IdMixin, Base):
    """Who did what in the console: logins, retries, replays, reveals of personal data, settings."""

    __tablename__ = "console_audit"

    operator_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    operator_email: Mapped[str] = mapped_column(String(190), nullable=False)
    action: Mapped[str] = mapped_column(String(64), nullable=False)
    target: Mapped[str | None] = mapped_column(String(190), nullable=True)
    details: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)

    __table_args__ = (
        Index("ix_console_audit_created", "created_at"),
        Index("ix_console_audit_operator", "operator_id", "created_at"),
    )
