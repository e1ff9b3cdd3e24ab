"""Every job module of integracoes; importing this registers them all."""

from carinho.integracoes.alerts import tasks as alerts_tasks
from carinho.integracoes.automations import tasks as automations_tasks
from carinho.integracoes.deliveries import tasks as deliveries_tasks
from carinho.integracoes.flows import tasks as flows_tasks
from carinho.integracoes.privacy import tasks as privacy_tasks
from carinho.integracoes.sync import tasks as sync_tasks

__all__ = [
    "alerts_tasks",
    "automations_tasks",
    "deliveries_tasks",
    "flows_tasks",
    "privacy_tasks",
    "sync_tasks",
]
