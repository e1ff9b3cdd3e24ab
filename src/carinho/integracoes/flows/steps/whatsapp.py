"""Module 1 — WhatsApp → CRM: find or create the lead by phone, register the interaction, forward
the Z-API callback to atendimento, and (first contact) raise `lead.created`. `fromMe` messages are
recorded as outbound interactions and never answered.

Every callback atendimento reads is forwarded to it (docs/contratos/atendimento.md): messages, their
status (`MessageStatusCallback`) and the delivery report (`DeliveryCallback`, the only place a send
to a number without WhatsApp fails), each as the exact bytes Z-API sent. Presence and connection
callbacks are stored only: atendimento does not use them."""

from __future__ import annotations

from typing import Any

from carinho.connectors.atendimento.client import AtendimentoClient
from carinho.connectors.crm.client import CrmClient
from carinho.connectors.crm.schemas import InteractionInput, Lead, LeadInput
from carinho.integracoes.flows.step_api import StepContext, StepError, step
from carinho.integracoes.flows.steps import internal_events
from carinho.integracoes.flows.steps.common import (
    parse,
    previous_outputs,
    raw_body,
    read_session,
    render,
    settings,
)
from carinho.integracoes.flows.steps.feedback_replies import parse_answer, record_whatsapp_answer

FIND_OR_CREATE_LEAD = "crm.find_or_create_lead"
REGISTER_INTERACTION = "crm.register_interaction"
FORWARD_TO_ATENDIMENTO = "atendimento.forward_whatsapp"
FEEDBACK_REPLY = "feedback.match_whatsapp_reply"
RAISE_LEAD_CREATED = "lead.raise_first_contact"


def _person_chat(ctx: StepContext) -> bool:
    return bool(ctx.payload.get("phone")) and not ctx.payload.get("is_group")


async def find_or_create_lead(crm: CrmClient, lead: LeadInput, key: str) -> tuple[Lead, bool]:
    """(the lead with this phone, whether we created it). Keys per operation, so a retry that finds
    the lead its first try created never reuses the create's key for another request."""
    assert lead.phone
    existing = await crm.find_lead_by_phone(lead.phone)
    if existing is not None:
        return existing, False
    return await crm.create_or_find_lead(lead, idempotency_key=f"{key}.create")


@step(FIND_OR_CREATE_LEAD)
async def find_or_create_lead_step(ctx: StepContext) -> dict[str, Any]:
    if not _person_chat(ctx):
        return {"skipped": "not a person's chat"}
    output = await render(ctx, "crm")
    lead_input = parse(LeadInput, (output or {}).get("lead"), "the CRM lead")
    if not lead_input.phone:
        return {"skipped": "no phone"}
    async with CrmClient(settings()) as crm:
        lead, created = await find_or_create_lead(crm, lead_input, ctx.idempotency_key)
    return {"crm_lead_id": lead.id, "created": created}


@step(REGISTER_INTERACTION)
async def register_interaction(ctx: StepContext) -> dict[str, Any]:
    async with read_session() as session:
        lead = (await previous_outputs(ctx, session)).get(FIND_OR_CREATE_LEAD) or {}
        if not lead.get("crm_lead_id"):
            return {"skipped": "no lead"}
        output = await render(ctx, "crm", {"crm_lead_id": lead["crm_lead_id"]}, session=session)
    interaction = parse(InteractionInput, (output or {}).get("interaction"), "the CRM interaction")
    async with CrmClient(settings()) as crm:
        recorded = await crm.log_interaction(
            lead["crm_lead_id"], interaction, idempotency_key=ctx.idempotency_key
        )
    return {"crm_interaction_id": recorded.id, "direction": interaction.direction}


@step(FORWARD_TO_ATENDIMENTO)
async def forward_to_atendimento(ctx: StepContext) -> dict[str, Any]:
    """The original Z-API callback, signed, to atendimento: the bytes Z-API sent, unchanged, while
    the mapping is the default (`raw`, or none at all); what a custom mapping builds otherwise."""
    original = ctx.payload.get("raw")
    async with read_session() as session:  # both reads in one transaction, before the call
        body = await render(ctx, "atendimento", if_missing=original, session=session)
        if body is None:
            return {"skipped": "the mapping produced nothing"}
        if not isinstance(body, dict):
            raise StepError("the atendimento mapping must produce a JSON object", retryable=False)
        content: dict[str, Any] | bytes = body
        if body == original:
            # Events stored before the bytes were kept: re-encoded.
            content = await raw_body(ctx, session) or body
    async with AtendimentoClient(settings()) as atendimento:
        await atendimento.forward_whatsapp(content, idempotency_key=ctx.idempotency_key)
    return {"forwarded": True, "type": body.get("type"), "as_received": isinstance(content, bytes)}


def _not_a_rating(ctx: StepContext) -> dict[str, Any] | None:
    """Most messages: nothing to match, known from the message alone (the runner records it so)."""
    if ctx.payload.get("from_me") or not _person_chat(ctx):
        return {"skipped": "not a reply from a client"}
    if parse_answer(ctx.payload.get("text")) is None:
        return {"skipped": "not a rating"}
    return None


@step(FEEDBACK_REPLY, local=True, nothing_to_do=_not_a_rating)
async def match_feedback_reply(ctx: StepContext) -> dict[str, Any]:
    """A reply like "9 muito bom" to an open feedback request becomes `feedback.received`."""
    return _not_a_rating(ctx) or await record_whatsapp_answer(ctx)


def _not_a_first_contact(ctx: StepContext) -> dict[str, Any] | None:
    """Our own message, or a lead that existed (the run's memory of the lead step's output; not
    known without it): nothing to raise."""
    if ctx.payload.get("from_me"):
        return {"skipped": "sent by the company"}
    if ctx.memory is not None and not (ctx.memory.outputs.get(FIND_OR_CREATE_LEAD) or {}).get("created"):
        return {"skipped": "not a first contact"}
    return None


@step(RAISE_LEAD_CREATED, local=True, nothing_to_do=_not_a_first_contact)
async def raise_lead_created(ctx: StepContext) -> dict[str, Any]:
    """A first contact (the lead did not exist) starts Module 2, never for our own messages."""
    skipped = _not_a_first_contact(ctx)
    if skipped is not None:
        return skipped
    lead = (await previous_outputs(ctx)).get(FIND_OR_CREATE_LEAD) or {}
    if not lead.get("created"):
        return {"skipped": "not a first contact"}
    payload = {
        "name": ctx.payload.get("sender_name") or ctx.payload.get("chat_name") or "Contato WhatsApp",
        "phone": ctx.payload["phone"],
        "origin": "whatsapp",
        "message": ctx.payload.get("text"),
        "crm_lead_id": lead["crm_lead_id"],
        "whatsapp_message_id": ctx.payload.get("message_id"),
    }
    # Source "whatsapp": its flow registers the lead but sends no welcome (atendimento greets them).
    event_id = await internal_events.raise_event(
        ctx.session, "whatsapp", "lead.created", f"first-contact:{ctx.payload['phone']}", payload
    )
    return {"lead_created_event_id": event_id}
