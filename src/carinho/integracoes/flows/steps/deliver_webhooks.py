"""The delivery step: one signed webhook per subscribed endpoint (each with its own retries/DLQ)."""

from __future__ import annotations

from typing import Any

from carinho.integracoes.deliveries.service import delivery_service
from carinho.integracoes.flows.registry import DELIVER_WEBHOOKS
from carinho.integracoes.flows.step_api import StepContext, step


@step(DELIVER_WEBHOOKS, local=True)  # it creates the deliveries; their own jobs send them
async def deliver_webhooks(ctx: StepContext) -> dict[str, Any]:
    created = await delivery_service.create_for_event(ctx.session, ctx.event, ctx.idempotency_key)
    return {"deliveries": created}
