"""Every step module of the hub's flows; importing this package registers them all.

To add a step: write `steps/<name>.py` with an `@step("<name>")` function, import it here and name
it in the flows of its event types (`carinho.integracoes.flows.registry`).
"""

from carinho.integracoes.steps import deliver_webhooks

__all__ = ["deliver_webhooks"]
