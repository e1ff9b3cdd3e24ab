"""Every table of the atendimento database, imported so the metadata (and Alembic) sees them."""

from carinho.atendimento.agents.models import Agent
from carinho.atendimento.database import Base, Heartbeat, OutboxMessage

__all__ = ["Agent", "Base", "Heartbeat", "OutboxMessage"]
