"""Module 4 — `service.completed` from operação (the seed's ProcessServiceCompleted): tell the client,
then 2 hours later (FEEDBACK_REQUEST_DELAY_SECONDS; a durable delayed job) ask for feedback by WhatsApp
and e-mail. `feedback.received` (a reply, the link, or cuidadores) is recorded in the CRM and cuidadores."""

from __future__ import annotations

import secrets
from datetime import timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from carinho.connectors.crm.client import CrmClient
from carinho.connectors.crm.schemas import FeedbackInput
from carinho.connectors.cuidadores.client import CuidadoresClient
from carinho.connectors.cuidadores.schemas import CaregiverFeedbackInput
from carinho.integracoes.flows.step_api import StepContext, StepError, step
from carinho.integracoes.flows.steps import internal_events
from carinho.integracoes.flows.steps.common import parse, render, settings
from carinho.integracoes.flows.steps.messages import send_email, send_whatsapp
from carinho.integracoes.flows.steps.models import FeedbackRequest, FeedbackStatus
from carinho.integracoes.flows.steps.repository import StepsRepository
from carinho.kit.clock import utcnow
from carinho.logging import get_logger
from carinho.worker import Lane, enqueue, job

log = get_logger(__name__)

NOTIFY_COMPLETED = "zapi.notify_service_completed"
SCHEDULE_REQUEST = "feedback.schedule_request"
SEND_REQUEST_WHATSAPP = "zapi.send_feedback_request"
SEND_REQUEST_EMAIL = "email.send_feedback_request"
RECORD_IN_CRM = "crm.record_feedback"
RECORD_IN_CUIDADORES = "cuidadores.record_feedback"
REQUEST_FEEDBACK_JOB = "integracoes.request_feedback"


def _service_id(ctx: StepContext) -> str:
    service_id = ctx.payload.get("service_id")
    if not service_id:
        raise StepError("the event has no service_id", retryable=False)
    return str(service_id)


def public_url() -> str:
    current = settings()
    return (
        current.integracoes_public_url or f"http://{current.bind_host}:{current.integracoes_port}"
    ).rstrip("/")


@step(NOTIFY_COMPLETED)
async def notify_completed(ctx: StepContext) -> dict[str, Any]:
    message = await render(ctx, "zapi")
    if not message:
        return {"skipped": "no WhatsApp to write to"}
    return await send_whatsapp(
        ctx, message, f"whatsapp:service-completed:{_service_id(ctx)}", "service_completed"
    )


@step(SCHEDULE_REQUEST, local=True)
async def schedule_request(ctx: StepContext) -> dict[str, Any]:
    """A feedback request row and its delayed job, in this step's transaction (no outbound call)."""
    service_id = _service_id(ctx)
    repo = StepsRepository(ctx.session)
    request = await repo.feedback_for_service(service_id)
    if request is None:
        now = utcnow()
        request = repo.add(
            FeedbackRequest(
                service_id=service_id,
                token=secrets.token_urlsafe(24),
                event_id=ctx.event.id,
                client_id=_text(ctx.payload.get("client_id")),
                client_phone=_text(ctx.payload.get("client_phone")),
                caregiver_id=_text(ctx.payload.get("caregiver_id")),
                status=FeedbackStatus.scheduled.value,
                due_at=now + timedelta(seconds=settings().feedback_request_delay_seconds),
                created_at=now,
                updated_at=now,
            )
        )
        await ctx.session.flush()
    delay = max(timedelta(0), request.due_at - utcnow())
    await enqueue(
        ctx.session,
        REQUEST_FEEDBACK_JOB,
        {"feedback_request_id": request.id},
        delay=delay,
        dedupe_key=f"feedback-request:{request.id}",
    )
    return {"feedback_request_id": request.id, "due_at": request.due_at.isoformat()}


@job(REQUEST_FEEDBACK_JOB, context="integracoes", lane=Lane.notifications, max_attempts=10)
async def request_feedback(session: AsyncSession, feedback_request_id: int) -> None:
    """Due: raise `feedback.requested`, whose steps send the WhatsApp message and the e-mail."""
    repo = StepsRepository(session)
    request = await repo.feedback(feedback_request_id)
    if request is None or request.status != FeedbackStatus.scheduled.value:
        return
    if request.due_at > utcnow():  # run early (a relay hiccup): wait for the due time
        await enqueue(
            session,
            REQUEST_FEEDBACK_JOB,
            {"feedback_request_id": request.id},
            delay=request.due_at - utcnow(),
            dedupe_key=f"feedback-request:{request.id}:{request.due_at.isoformat()}",
        )
        return
    completed = await _event_payload(session, request.event_id)
    payload = {
        "feedback_request_id": request.id,
        "service_id": request.service_id,
        "client_id": completed.get("client_id"),
        "client_name": completed.get("client_name"),
        "client_phone": completed.get("client_phone"),
        "client_email": completed.get("client_email"),
        "caregiver_id": completed.get("caregiver_id"),
        "caregiver_name": completed.get("caregiver_name"),
        "completed_at": completed.get("completed_at"),
        "feedback_url": f"{public_url()}/feedback/{request.token}",
    }
    await internal_events.raise_event(
        session, "integracoes", "feedback.requested", f"feedback-request:{request.id}", payload
    )
    now = utcnow()
    request.status = FeedbackStatus.requested.value
    request.requested_at = now
    request.updated_at = now
    log.info("feedback.requested", feedback_request_id=request.id)


async def _event_payload(session: AsyncSession, event_id: int) -> dict[str, Any]:
    from carinho.integracoes.events.models import IntegrationEvent
    from carinho.integracoes.events.service import event_service

    event = await session.get(IntegrationEvent, event_id)
    return await event_service.payload(session, event) if event is not None else {}


@step(SEND_REQUEST_WHATSAPP)
async def send_request_whatsapp(ctx: StepContext) -> dict[str, Any]:
    message = await render(ctx, "zapi")
    if not message:
        return {"skipped": "no WhatsApp to write to"}
    return await send_whatsapp(
        ctx, message, f"whatsapp:feedback-request:{_service_id(ctx)}", "feedback_request"
    )


@step(SEND_REQUEST_EMAIL)
async def send_request_email(ctx: StepContext) -> dict[str, Any]:
    message = await render(ctx, "email")
    if not message:
        return {"skipped": "no e-mail address"}
    return await send_email(ctx, message, f"email:feedback-request:{_service_id(ctx)}")


@step(RECORD_IN_CRM)
async def record_in_crm(ctx: StepContext) -> dict[str, Any]:
    feedback = parse(FeedbackInput, await render(ctx, "crm"), "the CRM feedback")
    async with CrmClient(settings()) as crm:
        recorded = await crm.record_feedback(feedback, idempotency_key=ctx.idempotency_key)
    return {"crm_feedback_id": recorded.id}


@step(RECORD_IN_CUIDADORES)
async def record_in_cuidadores(ctx: StepContext) -> dict[str, Any]:
    output = await render(ctx, "cuidadores")
    if not output:
        return {"skipped": "no caregiver, or the feedback came from cuidadores"}
    feedback = parse(CaregiverFeedbackInput, output.get("feedback"), "the cuidadores feedback")
    async with CuidadoresClient(settings()) as cuidadores:
        recorded = await cuidadores.record_feedback(
            output["caregiver_id"], feedback, idempotency_key=ctx.idempotency_key
        )
    return {"cuidadores_feedback_id": recorded.id}


def _text(value: Any) -> str | None:
    return None if value is None else str(value)[:64]
