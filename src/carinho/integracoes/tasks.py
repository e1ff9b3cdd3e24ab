"""Every job module of integracoes; importing this registers them all."""

from carinho.integracoes.deliveries import tasks as deliveries_tasks
from carinho.integracoes.flows import tasks as flows_tasks

__all__ = ["deliveries_tasks", "flows_tasks"]
