from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from carinho.atendimento.agents.roles import Role, SupportLevel
from carinho.atendimento.database import Base
from carinho.kit.db import IdMixin, TimestampMixin, UTCDateTime


class Agent(IdMixin, TimestampMixin, Base):
    __tablename__ = "agents"

    name: Mapped[str] = mapped_column(String(120), nullable=False)
    email: Mapped[str] = mapped_column(String(190), nullable=False, unique=True)
    password_hash: Mapped[str] = mapped_column(String(255), nullable=False)
    role: Mapped[str] = mapped_column(String(16), nullable=False, default=Role.agent)
    level: Mapped[str] = mapped_column(String(4), nullable=False, default=SupportLevel.n1)
    active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    capacity: Mapped[int] = mapped_column(Integer, nullable=False, default=10)
    # Takes part in round-robin assignment (an agent on a break switches it off).
    available: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    # Bumped to revoke every token and session the agent holds (logout everywhere, password reset).
    auth_epoch: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    last_assigned_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)

    @property
    def role_enum(self) -> Role:
        return Role(self.role)

    @property
    def role_label(self) -> str:
        return Role(self.role).label

    def has_role(self, minimum: Role) -> bool:
        return Role(self.role).rank >= minimum.rank
