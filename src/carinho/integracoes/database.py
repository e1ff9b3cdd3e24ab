"""The integracoes database: its declarative base and the tables every context carries."""

from sqlalchemy import Index, MetaData
from sqlalchemy.orm import DeclarativeBase

from carinho.kit.db import NAMING_CONVENTION
from carinho.runtime import ContextSpec
from carinho.worker.models import HeartbeatMixin, OutboxMessageMixin


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class OutboxMessage(OutboxMessageMixin, Base):
    pass


# The console's throughput per lane (work finished in the last minute, hour, day).
Index("ix_outbox_messages_status_completed_at", OutboxMessage.status, OutboxMessage.completed_at)


class Heartbeat(HeartbeatMixin, Base):
    pass


CONTEXT = ContextSpec(name="integracoes", metadata=Base.metadata, outbox=OutboxMessage, heartbeat=Heartbeat)
