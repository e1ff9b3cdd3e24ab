"""Delivering an emergency to operação, retried until it arrives.

Each attempt is one run of the job on the atendimento-high lane. It sends the payload frozen at
report time under one `Idempotency-Key` per incident, so any number of retries (including one after
a crash that lost operação's answer) opens exactly one occurrence there. A failed attempt records
the error on the incident and schedules the next one on the `emergency_deliveries` schedule
(kit/retry.py); after a few failures (or at once
when operação rejects the call) the supervisors get an alert to phone operação while we keep trying.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from carinho import runtime
from carinho.atendimento.history.actor import Actor
from carinho.atendimento.history.service import Action
from carinho.atendimento.inbox.alerts import alert_service
from carinho.atendimento.incidents.models import DeliveryState, Incident, TimelineAction
from carinho.atendimento.incidents.repository import IncidentRepository
from carinho.atendimento.incidents.timeline import add_event, audit
from carinho.connectors.errors import ConnectorError
from carinho.connectors.operacao import OperacaoClient
from carinho.connectors.operacao.schemas import EmergencyInput
from carinho.kit import retry
from carinho.kit.clock import utcnow
from carinho.logging import get_logger
from carinho.worker import enqueue

log = get_logger(__name__)

EMERGENCY_JOB = "atendimento.deliver_emergency"
# About a day of attempts; after that a person owns the delivery (the incident shows `failed`).
MAX_DELIVERY_ATTEMPTS = 150
ALERT_AFTER_FAILURES = 3


def delivery_dedupe_key(incident_id: int, attempt: int) -> str:
    return f"atendimento:deliver-emergency:{incident_id}:{attempt}"


def idempotency_key(incident_id: int) -> str:
    return f"atendimento-emergency-{incident_id}"


async def deliver(session: AsyncSession, incident_id: int, attempt: int) -> str:
    """One attempt. Returns what happened: delivered, retry, failed or skipped."""
    incident = await IncidentRepository(session).incident(incident_id)
    if incident is None or not incident.is_emergency or incident.operacao_payload is None:
        return "skipped"
    if incident.delivery_state != DeliveryState.pending.value or attempt <= incident.delivery_attempts:
        return "skipped"  # delivered already, given up, or an older attempt run again
    try:
        async with OperacaoClient(runtime.current().settings) as client:
            occurrence = await client.report_emergency(
                EmergencyInput.model_validate(incident.operacao_payload),
                idempotency_key=idempotency_key(incident.id),
            )
    except ConnectorError as exc:
        return await _failed(session, incident, attempt, exc)
    incident.delivery_state = DeliveryState.delivered.value
    incident.delivery_attempts = attempt
    incident.delivery_last_error = None
    incident.delivered_at = utcnow()
    incident.operacao_occurrence_id = str(occurrence.id)
    incident.operacao_protocol = occurrence.protocol
    details = {
        "occurrence_id": incident.operacao_occurrence_id,
        "protocol": occurrence.protocol,
        "attempts": attempt,
    }
    add_event(session, incident, TimelineAction.emergency_delivered, Actor.system(), details=details)
    audit(session, Action.emergency_reported, Actor.system(), incident, after=details)
    log.info("atendimento.emergency_delivered", incident_id=incident.id, attempts=attempt)
    return "delivered"


async def _failed(session: AsyncSession, incident: Incident, attempt: int, exc: ConnectorError) -> str:
    incident.delivery_attempts = attempt
    incident.delivery_last_error = f"tentativa {attempt}: {exc.message}"[:2000]
    log.warning(
        "atendimento.emergency_delivery_failed",
        incident_id=incident.id,
        attempt=attempt,
        error=exc.code,
        retryable=exc.retryable,
    )
    delay = retry.emergency_deliveries(runtime.current().settings).delay(
        attempt - 1, retry_after=exc.retry_after
    )
    if attempt >= MAX_DELIVERY_ATTEMPTS or delay is None:
        incident.delivery_state = DeliveryState.failed.value
        add_event(
            session,
            incident,
            TimelineAction.emergency_delivery_failed,
            Actor.system(),
            details={"attempts": attempt, "error": exc.code},
        )
        await alert_service.raise_alert(
            session,
            kind="emergency_delivery_failed",
            severity="critical",
            title=f"Emergência {incident.id} NÃO chegou à operação após {attempt} tentativas: "
            "ligue para a operação",
            details={"incident_id": incident.id, "error": incident.delivery_last_error},
            conversation_id=incident.conversation_id,
            dedupe_key=f"emergency_delivery_failed:{incident.id}",
        )
        return "failed"
    await enqueue(
        session,
        EMERGENCY_JOB,
        {"incident_id": incident.id, "attempt": attempt + 1},
        delay=delay,
        dedupe_key=delivery_dedupe_key(incident.id, attempt + 1),
    )
    if attempt >= ALERT_AFTER_FAILURES or not exc.retryable:
        await alert_service.raise_alert(
            session,
            kind="emergency_delivery_failing",
            severity="critical",
            title=f"Emergência {incident.id} ainda não chegou à operação: ligue para a operação",
            details={"incident_id": incident.id, "error": incident.delivery_last_error},
            conversation_id=incident.conversation_id,
            dedupe_key=f"emergency_delivery_failing:{incident.id}",
        )
    return "retry"
