"""Every step of the hub's flows, one module per area: the delivery to subscribed endpoints and the
business steps of the seed's modules 1–4 (WhatsApp, leads, client onboarding, feedback), with what
they share. Importing this package registers the delivery step; the flow table imports the others.
"""

from carinho.integracoes.flows.steps import deliver_webhooks

__all__ = ["deliver_webhooks"]
