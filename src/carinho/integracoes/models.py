"""Every table of the integracoes database, imported so the metadata (and Alembic) sees them."""

from carinho.integracoes.alerts.models import AlertRule, HubAlert
from carinho.integracoes.apikeys.models import ApiKey
from carinho.integracoes.database import Base, Heartbeat, OutboxMessage
from carinho.integracoes.deliveries.models import Delivery, DeliveryAttempt
from carinho.integracoes.dlq.models import DeadLetter
from carinho.integracoes.events.models import IntegrationEvent
from carinho.integracoes.flows.models import EventStep
from carinho.integracoes.flows.steps.models import FeedbackRequest, OutboundMessage
from carinho.integracoes.mappings.models import MappingGeneration, MappingVersion
from carinho.integracoes.operators.models import ConsoleAudit, Operator
from carinho.integracoes.privacy.models import HubPrivacyRequest
from carinho.integracoes.sync.models import SyncAlert, SyncJob, SyncRecord, SyncWatermark
from carinho.integracoes.webhook_endpoints.models import WebhookEndpoint

__all__ = [
    "AlertRule",
    "ApiKey",
    "Base",
    "ConsoleAudit",
    "DeadLetter",
    "Delivery",
    "DeliveryAttempt",
    "EventStep",
    "FeedbackRequest",
    "Heartbeat",
    "HubAlert",
    "HubPrivacyRequest",
    "IntegrationEvent",
    "MappingGeneration",
    "MappingVersion",
    "Operator",
    "OutboundMessage",
    "OutboxMessage",
    "SyncAlert",
    "SyncJob",
    "SyncRecord",
    "SyncWatermark",
    "WebhookEndpoint",
]
