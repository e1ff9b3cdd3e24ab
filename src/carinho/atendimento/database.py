"""The atendimento database: its declarative base and the tables every context carries."""

from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase, Session

from carinho.kit.db import NAMING_CONVENTION
from carinho.runtime import ContextSpec
from carinho.worker.models import HeartbeatMixin, OutboxMessageMixin


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class OutboxMessage(OutboxMessageMixin, Base):
    pass


class Heartbeat(HeartbeatMixin, Base):
    pass


class AtendimentoSession(Session):
    """The Session class of every atendimento session: the live feed's recorder listens to its
    flushes (`carinho.atendimento.live.recorder`), so the hub's sessions pay nothing for it."""


CONTEXT = ContextSpec(
    name="atendimento",
    metadata=Base.metadata,
    outbox=OutboxMessage,
    heartbeat=Heartbeat,
    session_class=AtendimentoSession,
)
