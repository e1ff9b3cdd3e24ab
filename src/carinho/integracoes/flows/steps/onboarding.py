"""Module 3 — `client.registered` from the CRM: the seed's ProcessClientRegistered. Welcome e-mail,
welcome WhatsApp, and the client set up in financeiro (customer and recurring billing)."""

from __future__ import annotations

from typing import Any

from carinho.connectors.crm.client import CrmClient
from carinho.connectors.financeiro.client import FinanceiroClient
from carinho.connectors.financeiro.schemas import CustomerInput, SubscriptionInput
from carinho.integracoes.flows.step_api import StepContext, StepError, step
from carinho.integracoes.flows.steps.common import parse, render, settings
from carinho.integracoes.flows.steps.messages import send_email, send_whatsapp

SEND_WELCOME_EMAIL = "email.send_client_welcome"
SEND_WELCOME_WHATSAPP = "zapi.send_client_welcome"
SETUP_FINANCEIRO = "financeiro.setup_client"


def _client_key(ctx: StepContext) -> str:
    return str(ctx.payload.get("client_id") or f"event-{ctx.event.id}")


@step(SEND_WELCOME_EMAIL)
async def send_welcome_email(ctx: StepContext) -> dict[str, Any]:
    message = await render(ctx, "email")
    if not message:
        return {"skipped": "no e-mail address"}
    return await send_email(ctx, message, f"email:client-welcome:{_client_key(ctx)}")


@step(SEND_WELCOME_WHATSAPP)
async def send_welcome_whatsapp(ctx: StepContext) -> dict[str, Any]:
    message = await render(ctx, "zapi")
    if not message:
        return {"skipped": "no WhatsApp to write to"}
    return await send_whatsapp(ctx, message, f"whatsapp:client-welcome:{_client_key(ctx)}", "client_welcome")


@step(SETUP_FINANCEIRO)
async def setup_financeiro(ctx: StepContext) -> dict[str, Any]:
    client_id = ctx.payload.get("client_id")
    context: dict[str, Any] = {"client": None, "contracts": []}
    async with CrmClient(settings()) as crm:
        if client_id is not None and str(client_id).isdigit():
            context["client"] = (await crm.get_client(client_id)).model_dump(mode="json")
            context["contracts"] = [
                c.model_dump(mode="json") async for c in crm.contracts() if str(c.client_id) == str(client_id)
            ]
    output = await render(ctx, "financeiro", context)
    if not output:
        return {"skipped": "the mapping produced nothing"}
    crm_client_id = output.get("crm_client_id")
    if crm_client_id is None:
        raise StepError("the financeiro mapping must produce crm_client_id", retryable=False)
    customer = parse(CustomerInput, output.get("customer"), "the financeiro customer")
    subscriptions = [
        (item.get("crm_contract_id"), parse(SubscriptionInput, item, "a financeiro subscription"))
        for item in output.get("subscriptions") or []
    ]
    async with FinanceiroClient(settings()) as financeiro:
        created = await financeiro.upsert_customer(
            crm_client_id, customer, idempotency_key=f"{ctx.idempotency_key}.customer"
        )
        for contract_id, subscription in subscriptions:
            await financeiro.upsert_subscription(
                contract_id, subscription, idempotency_key=f"{ctx.idempotency_key}.contract_{contract_id}"
            )
    return {"financeiro_customer_id": created.id, "subscriptions": [c for c, _ in subscriptions]}
