"""Every table of the integracoes database, imported so the metadata (and Alembic) sees them."""

from carinho.integracoes.apikeys.models import ApiKey
from carinho.integracoes.database import Base, Heartbeat, OutboxMessage
from carinho.integracoes.events.models import IntegrationEvent

__all__ = ["ApiKey", "Base", "Heartbeat", "IntegrationEvent", "OutboxMessage"]
