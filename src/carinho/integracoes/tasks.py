"""Every job module of integracoes; importing this registers them all."""

from carinho.integracoes.alerts import tasks as alerts_tasks
from carinho.integracoes.deliveries import tasks as deliveries_tasks
from carinho.integracoes.flows import table as flow_table  # the flows, their steps, the feedback job
from carinho.integracoes.flows import tasks as flows_tasks
from carinho.integracoes.mappings import deliveries as mapped_deliveries
from carinho.integracoes.privacy import tasks as privacy_tasks
from carinho.integracoes.sync import tasks as sync_tasks

__all__ = [
    "alerts_tasks",
    "deliveries_tasks",
    "flow_table",
    "flows_tasks",
    "mapped_deliveries",
    "privacy_tasks",
    "sync_tasks",
]
