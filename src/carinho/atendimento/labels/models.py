from __future__ import annotations

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from carinho.atendimento.database import Base
from carinho.kit.db import IdMixin, TimestampMixin


class Label(IdMixin, TimestampMixin, Base):
    __tablename__ = "labels"

    name: Mapped[str] = mapped_column(String(64), nullable=False, unique=True)
    color: Mapped[str] = mapped_column(String(7), nullable=False, default="#6B7280")
    description: Mapped[str] = mapped_column(String(255), nullable=False, default="")
