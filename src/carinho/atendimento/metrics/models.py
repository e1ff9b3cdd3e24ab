"""Tables of the metrics package."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer
from sqlalchemy.orm import Mapped, mapped_column

from carinho.atendimento.database import Base
from carinho.kit.db import IdMixin, UTCDateTime


class MessageHourCount(IdMixin, Base):
    """Messages to and from customers in one closed UTC hour (private notes excluded).

    Written by the roll-up job from `messages` (idempotent: a row is recounted, never incremented),
    so the dashboard reads 23 rows instead of a day of messages, and the counts outlive retention's
    erasure of conversations.
    """

    __tablename__ = "metrics_message_hours"

    hour_start: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, unique=True)
    inbound: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    outbound: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    counted_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
