"""Events for the console's page tests, made the way the hub makes them: stored by ingest, processed
by the real flow runner (failing steps and deliveries to a real receiver that answers as planned)."""

from __future__ import annotations

import uuid
from typing import Any

import httpx

from carinho.integracoes.flows.registry import DELIVER_WEBHOOKS, register_flow
from carinho.integracoes.flows.step_api import StepContext, StepError, step
from carinho.runtime import Runtime
from carinho.worker import Lane
from tests.integracoes.processing import submit_event
from tests.support.jobs import drain

# A flow whose business step fails for good (straight to the DLQ), quoting a phone in its error.
FAILING = "tests.console_failing"
FAILING_STEP = "tests.console_crm_call"
# A flow of two steps that both succeed, then the delivery.
TWO_STEPS = "tests.console_two_steps"


@step(FAILING_STEP)
async def crm_call(ctx: StepContext) -> dict[str, Any]:
    if ctx.payload.get("fail", True):
        raise StepError("CRM answered 422: lead 11987654321 rejected", retryable=False, status_code=422)
    return {"crm_lead_id": 77}


@step("tests.console_first")
async def first(ctx: StepContext) -> dict[str, Any]:
    return {"first": "ok", "phone": ctx.payload.get("phone")}


register_flow(FAILING, Lane.integrations, (FAILING_STEP, DELIVER_WEBHOOKS))
register_flow(TWO_STEPS, Lane.integrations, ("tests.console_first", DELIVER_WEBHOOKS))


async def processed_event(
    hub: httpx.AsyncClient,
    rt: Runtime,
    auth: dict[str, str],
    event_type: str = TWO_STEPS,
    payload: dict[str, Any] | None = None,
    source: str = "crm",
) -> int:
    event_id = await submit_event(hub, auth, event_type, payload or {"n": uuid.uuid4().hex}, source)
    await drain(rt)
    return event_id


async def failed_event(hub: httpx.AsyncClient, rt: Runtime, auth: dict[str, str]) -> int:
    """An event whose business step failed for good: the event and the step are in the DLQ."""
    payload = {"name": "Maria Souza", "phone": "(11) 98765-4321", "email": "maria.souza@example.com.br"}
    return await processed_event(hub, rt, auth, FAILING, payload, "site")
