"""Every job module of atendimento; importing this registers them all."""

from carinho.atendimento.automations import tasks as automations_tasks
from carinho.atendimento.crm import tasks as crm_tasks
from carinho.atendimento.funnel import tasks as funnel_tasks
from carinho.atendimento.inbox import tasks as inbox_tasks

__all__ = ["automations_tasks", "crm_tasks", "funnel_tasks", "inbox_tasks"]
