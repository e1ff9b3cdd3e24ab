"""Every job module of atendimento, and every module that connects signal receivers; importing
this registers them all (every process loads it through the runtime). The order of the imports does
not matter: a receiver's phase (signals.Phase) says when it runs."""

from carinho.atendimento.automations import receivers as automations_receivers
from carinho.atendimento.automations import tasks as automations_tasks
from carinho.atendimento.crm import receivers as crm_receivers
from carinho.atendimento.crm import tasks as crm_tasks
from carinho.atendimento.escalation import receivers as escalation_receivers
from carinho.atendimento.escalation import tasks as escalation_tasks
from carinho.atendimento.funnel import receivers as funnel_receivers
from carinho.atendimento.funnel import tasks as funnel_tasks
from carinho.atendimento.inbox import tasks as inbox_tasks
from carinho.atendimento.incidents import receivers as incidents_receivers
from carinho.atendimento.incidents import tasks as incidents_tasks
from carinho.atendimento.live import tasks as live_tasks
from carinho.atendimento.metrics import receivers as metrics_receivers
from carinho.atendimento.metrics import tasks as metrics_tasks
from carinho.atendimento.retention import receivers as retention_receivers
from carinho.atendimento.retention import tasks as retention_tasks
from carinho.atendimento.satisfaction import receivers as satisfaction_receivers
from carinho.atendimento.satisfaction import tasks as satisfaction_tasks
from carinho.atendimento.sla import receivers as sla_receivers
from carinho.atendimento.sla import tasks as sla_tasks

__all__ = [
    "automations_receivers",
    "automations_tasks",
    "crm_receivers",
    "crm_tasks",
    "escalation_receivers",
    "escalation_tasks",
    "funnel_receivers",
    "funnel_tasks",
    "inbox_tasks",
    "incidents_receivers",
    "incidents_tasks",
    "live_tasks",
    "metrics_receivers",
    "metrics_tasks",
    "retention_receivers",
    "retention_tasks",
    "satisfaction_receivers",
    "satisfaction_tasks",
    "sla_receivers",
    "sla_tasks",
]
