from __future__ import annotations

from enum import StrEnum

from sqlalchemy import Boolean, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from carinho.atendimento.database import Base
from carinho.kit.db import IdMixin, TimestampMixin


class Role(StrEnum):
    agent = "agent"
    supervisor = "supervisor"
    admin = "admin"

    @property
    def label(self) -> str:
        return {"agent": "atendente", "supervisor": "supervisor", "admin": "administrador"}[self]


class SupportLevel(StrEnum):
    n1 = "N1"
    n2 = "N2"
    n3 = "N3"


class Agent(IdMixin, TimestampMixin, Base):
    __tablename__ = "agents"

    name: Mapped[str] = mapped_column(String(120), nullable=False)
    email: Mapped[str] = mapped_column(String(190), nullable=False, unique=True)
    password_hash: Mapped[str] = mapped_column(String(255), nullable=False)
    role: Mapped[str] = mapped_column(String(16), nullable=False, default=Role.agent)
    level: Mapped[str] = mapped_column(String(4), nullable=False, default=SupportLevel.n1)
    active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    capacity: Mapped[int] = mapped_column(Integer, nullable=False, default=10)
