"""An event type whose flow is only the delivery step (no payload model, no business steps); worker
processes that tests start load it through CARINHO_JOB_MODULES."""

from carinho.integracoes.flows.registry import DELIVER_WEBHOOKS, register_flow
from carinho.worker import Lane

DELIVERY_ONLY = "tests.delivery_only"
register_flow(DELIVERY_ONLY, Lane.integrations, (DELIVER_WEBHOOKS,))
