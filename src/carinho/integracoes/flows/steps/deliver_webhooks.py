"""The delivery step: one signed webhook per subscribed endpoint (each with its own retries/DLQ)."""

from __future__ import annotations

from typing import Any

from carinho.integracoes.deliveries.service import delivery_service
from carinho.integracoes.flows.registry import DELIVER_WEBHOOKS
from carinho.integracoes.flows.step_api import StepContext, step


def _no_endpoint(ctx: StepContext) -> dict[str, Any] | None:
    """No endpoint was enabled when the run began (read with its event row): nothing to deliver, and
    no savepoint nor read of the endpoints. An endpoint enabled since gets the events whose runs
    begin after its commit — the next event, as before."""
    return None if ctx.config.endpoints_enabled else {"deliveries": []}


# It creates the deliveries; their own jobs send them.
@step(DELIVER_WEBHOOKS, local=True, nothing_to_do=_no_endpoint)
async def deliver_webhooks(ctx: StepContext) -> dict[str, Any]:
    created = await delivery_service.create_for_event(ctx.session, ctx.event, ctx.idempotency_key)
    return {"deliveries": created}
