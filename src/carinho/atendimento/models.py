"""Every table of the atendimento database, imported so the metadata (and Alembic) sees them."""

from carinho.atendimento.agents.models import Agent
from carinho.atendimento.automations.models import AutoMessageFiring, AutoMessageRule
from carinho.atendimento.database import Base, Heartbeat, OutboxMessage

# Packages whose tables are listed by their own models module.
from carinho.atendimento.escalation import models as escalation_models
from carinho.atendimento.funnel.models import DocumentDispatch, FunnelTransition, LossReason
from carinho.atendimento.history.models import HistoryEntry
from carinho.atendimento.inbox.models import (
    Alert,
    Contact,
    Conversation,
    DeliveryReceipt,
    Message,
    conversation_labels,
)
from carinho.atendimento.incidents import models as incidents_models
from carinho.atendimento.labels.models import Label
from carinho.atendimento.live.models import LiveChange
from carinho.atendimento.metrics import models as metrics_models
from carinho.atendimento.retention import models as retention_models
from carinho.atendimento.satisfaction import models as satisfaction_models
from carinho.atendimento.sla import models as sla_models
from carinho.atendimento.templates.models import MessageTemplate
from carinho.atendimento.triage.models import TriageAnswer, TriageChecklist, TriageQuestion, TriageSession
from carinho.atendimento.working_hours.models import CalendarSettings, CompanyDate, WeeklyInterval

__all__ = [
    "Agent",
    "Alert",
    "AutoMessageFiring",
    "AutoMessageRule",
    "Base",
    "CalendarSettings",
    "CompanyDate",
    "Contact",
    "Conversation",
    "DeliveryReceipt",
    "DocumentDispatch",
    "FunnelTransition",
    "Heartbeat",
    "HistoryEntry",
    "Label",
    "LiveChange",
    "LossReason",
    "Message",
    "MessageTemplate",
    "OutboxMessage",
    "TriageAnswer",
    "TriageChecklist",
    "TriageQuestion",
    "TriageSession",
    "WeeklyInterval",
    "conversation_labels",
    "escalation_models",
    "incidents_models",
    "metrics_models",
    "retention_models",
    "satisfaction_models",
    "sla_models",
]
