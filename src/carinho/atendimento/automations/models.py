from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Boolean, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from carinho.atendimento.database import Base
from carinho.kit.clock import utcnow
from carinho.kit.db import IdMixin, TimestampMixin, UTCDateTime


class AutoMessageRule(IdMixin, TimestampMixin, Base):
    __tablename__ = "auto_message_rules"

    kind: Mapped[str] = mapped_column(String(32), nullable=False, unique=True)
    enabled: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    template_id: Mapped[int | None] = mapped_column(
        ForeignKey("message_templates.id", ondelete="SET NULL"), nullable=True
    )
    # queue_notice: minutes without an agent; follow_up: minutes waiting for the customer.
    delay_minutes: Mapped[int | None] = mapped_column(Integer, nullable=True)
    updated_by_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True)


class AutoMessageFiring(IdMixin, Base):
    """A rule fired for one trigger; the unique key is what makes every rule fire only once."""

    __tablename__ = "auto_message_firings"

    kind: Mapped[str] = mapped_column(String(32), nullable=False)
    trigger_key: Mapped[str] = mapped_column(String(190), nullable=False, unique=True)
    conversation_id: Mapped[int] = mapped_column(BigInteger, nullable=False, index=True)
    message_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
