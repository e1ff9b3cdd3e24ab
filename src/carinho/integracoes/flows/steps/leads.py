"""Module 2 — `lead.created` (site, a first WhatsApp contact, or POST /api/events): the seed's
ProcessLeadCreated. Register the lead with its origin in the CRM, attribute it to the marketing
campaign of its UTM, send the welcome WhatsApp message (once per lead, whatever the retries: by the
event that created the lead; on the `notifications` lane, paced by Z-API's send limit).

One greeting: a contact who wrote on WhatsApp is greeted by atendimento, which knows the business
hours, the queue and emergencies; the hub's welcome goes only to leads that came another way (the
site's form, the CRM, the API)."""

from __future__ import annotations

from typing import Any

from carinho.connectors.crm.client import CrmClient
from carinho.connectors.crm.schemas import LeadInput
from carinho.connectors.marketing.client import MarketingClient
from carinho.connectors.marketing.schemas import AttributionInput
from carinho.integracoes.events.models import global_event_id
from carinho.integracoes.flows.step_api import StepContext, StepError, step
from carinho.integracoes.flows.steps.common import parse, previous_outputs, render, send_once, settings
from carinho.integracoes.flows.steps.messages import send_whatsapp
from carinho.integracoes.flows.steps.whatsapp import find_or_create_lead

REGISTER_LEAD = "crm.register_lead"
SEND_WELCOME = "zapi.send_lead_welcome"
ATTRIBUTE_CAMPAIGN = "marketing.attribute_campaign"


@step(REGISTER_LEAD)
async def register_lead(ctx: StepContext) -> dict[str, Any]:
    output = await render(ctx, "crm")
    lead = parse(LeadInput, (output or {}).get("lead"), "the CRM lead")
    if not lead.phone:
        raise StepError("the CRM registers leads by phone; this lead has none", retryable=False)
    async with CrmClient(settings()) as crm:
        found, created = await find_or_create_lead(crm, lead, ctx.idempotency_key)
        if not created:
            changes = lead.model_copy(update={"phone": None})
            await crm.update_lead(found.id, changes, idempotency_key=f"{ctx.idempotency_key}.update")
    return {"crm_lead_id": found.id, "created": created}


async def _lead_id(ctx: StepContext) -> int:
    return _registered_lead_id((await previous_outputs(ctx)).get(REGISTER_LEAD) or {})


def _registered_lead_id(registered: dict[str, Any]) -> int:
    lead_id = registered.get("crm_lead_id")
    if not lead_id:
        raise StepError("the lead is not registered in the CRM yet", retryable=True)
    return int(lead_id)


# The source of the `lead.created` the hub raises for a first WhatsApp contact (whatsapp.py).
WHATSAPP_SOURCE = "whatsapp"


@step(SEND_WELCOME)
async def send_welcome(ctx: StepContext) -> dict[str, Any]:
    if ctx.event.source == WHATSAPP_SOURCE:
        return {"skipped": "the lead wrote on WhatsApp: atendimento greets them"}
    registered = (await previous_outputs(ctx)).get(REGISTER_LEAD) or {}
    lead_id = _registered_lead_id(registered)
    if registered.get("created") is False:
        return {"skipped": "the lead was already in the CRM: it was welcomed when it came first"}
    message = await render(ctx, "zapi", {"crm_lead_id": lead_id})
    if not message:
        return {"skipped": "no WhatsApp to write to"}
    # Once per lead: only the event that created it welcomes it. The key is that event's UUID, not
    # the CRM's lead id, which a reset CRM (or another hub's) hands out again.
    dedupe_key = f"whatsapp:lead-welcome:{global_event_id(ctx.event.uid)}"
    return await send_whatsapp(ctx, message, dedupe_key, "lead_welcome")


@step(ATTRIBUTE_CAMPAIGN)
async def attribute_campaign(ctx: StepContext) -> dict[str, Any]:
    lead_id = await _lead_id(ctx)
    output = await render(ctx, "marketing", {"crm_lead_id": lead_id})
    if not output:
        return {"skipped": "no UTM campaign"}
    attribution = parse(AttributionInput, output.get("attribution"), "the marketing attribution")
    async with MarketingClient(settings()) as marketing:
        campaign = await marketing.find_campaign_by_utm(
            utm_source=attribution.utm_source,
            utm_medium=attribution.utm_medium,
            utm_campaign=attribution.utm_campaign,
        )
        if campaign is None:
            return {"skipped": "no campaign with this UTM"}

        async def attribute() -> str | None:
            recorded = await marketing.attribute_lead(
                campaign.id, attribution, idempotency_key=ctx.idempotency_key
            )
            return str(recorded.id)

        # Once per (lead, campaign), like the welcome: a second lead.created for the lead adds nothing.
        outcome = await send_once(
            ctx,
            dedupe_key=f"marketing:attribution:{lead_id}:{campaign.id}",
            channel="marketing",
            template="attribution",
            send=attribute,
        )
    return {"campaign_id": campaign.id, **outcome}
