"""Deliveries: fan an event out to its subscribed endpoints, make each attempt's request, and
decide what happens next (done, retry on the schedule, disable the endpoint, or the DLQ)."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from carinho import runtime
from carinho.errors import Conflict, NotFound
from carinho.integracoes.deliveries.models import (
    AttemptStatus,
    AttemptTrigger,
    Delivery,
    DeliveryAttempt,
    DeliveryStatus,
)
from carinho.integracoes.deliveries.repository import DeliveryRepository
from carinho.integracoes.deliveries.sender import SendResult
from carinho.integracoes.dlq import recording as dead_letters
from carinho.integracoes.events.models import IntegrationEvent, global_event_id
from carinho.integracoes.events.service import event_service, register_detail_loader
from carinho.integracoes.flows.step_api import EventSnapshot
from carinho.integracoes.webhook_endpoints.models import WebhookEndpoint
from carinho.integracoes.webhook_endpoints.repository import WebhookEndpointRepository
from carinho.integracoes.webhook_endpoints.service import webhook_endpoint_service
from carinho.kit import retry
from carinho.kit.clock import utcnow
from carinho.kit.signatures import sign_outbound, standard_signature
from carinho.logging import get_logger
from carinho.worker import Lane, enqueue

log = get_logger(__name__)

DELIVER_JOB = "integracoes.deliver_webhook"

# Extension point (the mappings): what a target system receives instead of the event's own payload.
PayloadMapper = Callable[[AsyncSession, IntegrationEvent, str, dict[str, Any]], Awaitable[dict[str, Any]]]
_payload_mappers: dict[str, PayloadMapper] = {}


def register_payload_mapper(name: str, mapper: PayloadMapper) -> None:
    _payload_mappers[name] = mapper


# Shown in the console (pt-BR): the attempt's outcome is unknown, the receiver may have acted on it.
INTERRUPTED = "interrompida: o processo parou durante a requisição (o destino pode tê-la recebido)"

# 4xx answers that say "try again later" rather than "this request is wrong".
RETRYABLE_CLIENT_ERRORS = frozenset({408, 409, 425, 429})
CONTEXT_ATTEMPTS = 10


class Outcome(StrEnum):
    succeeded = "succeeded"
    retry = "retry"
    permanent = "permanent"
    gone = "gone"


def classify(result: SendResult) -> Outcome:
    code = result.status_code
    if code is None:
        return Outcome.retry
    if 200 <= code < 300:
        return Outcome.succeeded
    if code == 410:
        return Outcome.gone
    if 400 <= code < 500 and code not in RETRYABLE_CLIENT_ERRORS:
        return Outcome.permanent
    return Outcome.retry  # 5xx, 408/409/425/429, and 3xx (redirects are not followed)


def event_body(event: IntegrationEvent, payload: dict[str, Any]) -> bytes:
    """The exact bytes sent (and signed): the same for every attempt of the delivery."""
    document = {
        "id": global_event_id(event.uid),
        "type": event.event_type,
        "source": event.source,
        "timestamp": event.created_at.isoformat().replace("+00:00", "Z"),
        "data": payload,
    }
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode()


@dataclass(frozen=True)
class AttemptPlan:
    delivery_id: int
    attempt: int
    trigger: str
    url: str
    secrets: list[str]
    message_id: str
    idempotency_key: str
    body: bytes
    blocked: str | None = None  # why nothing is sent (endpoint disabled or deleted)

    def headers(self, now: datetime) -> dict[str, str]:
        headers = {
            "Content-Type": "application/json",
            "Idempotency-Key": self.idempotency_key,
            **sign_outbound(self.secrets[0], self.message_id, self.body, now),
        }
        timestamp = int(headers["webhook-timestamp"])
        for previous in self.secrets[1:]:  # rotation grace period: the old secret signs too
            headers["webhook-signature"] += " " + standard_signature(
                previous, self.message_id, timestamp, self.body
            )
        return headers


class DeliveryService:
    async def create_for_event(self, session: AsyncSession, event: EventSnapshot, step_key: str) -> list[int]:
        """One delivery per enabled endpoint subscribed to the event's type, each with its first
        attempt queued. Endpoints that already have one are skipped (the step may run again)."""
        repo = DeliveryRepository(session)
        endpoints = [
            e for e in await WebhookEndpointRepository(session).enabled() if e.subscribes_to(event.event_type)
        ]
        if not endpoints:
            return []  # the usual case for most event types: nothing more to read
        existing = await repo.endpoint_ids_for_event(event.id)
        now = utcnow()
        created: list[Delivery] = []
        for endpoint in endpoints:
            if endpoint.id in existing:
                continue
            created.append(
                repo.add(
                    Delivery(
                        event_id=event.id,
                        endpoint_id=endpoint.id,
                        status=DeliveryStatus.pending.value,
                        attempts=0,
                        scheduled_attempts=0,
                        message_id=global_event_id(event.uid),
                        idempotency_key=f"{step_key}.ep_{endpoint.id}",
                        next_attempt_at=now,
                        created_at=now,
                        updated_at=now,
                    )
                )
            )
        await session.flush()
        for delivery in created:
            await self._enqueue_attempt(session, delivery, AttemptTrigger.scheduled, Lane.integrations, None)
        return [d.id for d in created]

    async def _enqueue_attempt(
        self,
        session: AsyncSession,
        delivery: Delivery,
        trigger: AttemptTrigger,
        lane: Lane,
        delay: timedelta | None,
    ) -> None:
        attempt = delivery.attempts + 1
        await enqueue(
            session,
            DELIVER_JOB,
            {"delivery_id": delivery.id, "attempt": attempt, "trigger": trigger.value},
            lane=lane,
            delay=delay,
            dedupe_key=f"delivery:{delivery.id}:attempt:{attempt}",
        )

    async def prepare_attempt(
        self, session: AsyncSession, delivery_id: int, attempt: int, trigger: str
    ) -> AttemptPlan | None:
        """What to send, or None when this attempt is stale (already made, or the delivery ended).

        A run of the job after its worker died during the request finds that attempt still `sending`:
        it makes the next attempt (same `webhook-id` and `Idempotency-Key`), and `begin_attempt`
        closes the interrupted one."""
        repo = DeliveryRepository(session)
        delivery = await repo.get(delivery_id)
        if delivery is None or delivery.status != DeliveryStatus.pending:
            return None
        if delivery.attempts == attempt:
            interrupted = await repo.attempt(delivery.id, attempt)
            if interrupted is None or interrupted.status != AttemptStatus.sending:
                return None
            attempt += 1
        elif delivery.attempts != attempt - 1:
            return None
        endpoint = await WebhookEndpointRepository(session).get_any(delivery.endpoint_id)
        event = await session.get(IntegrationEvent, delivery.event_id)
        if endpoint is None or event is None:
            return None
        plan = AttemptPlan(
            delivery_id=delivery.id,
            attempt=attempt,
            trigger=trigger,
            url=endpoint.url,
            secrets=[],
            message_id=delivery.message_id,
            idempotency_key=delivery.idempotency_key,
            body=b"",
        )
        if endpoint.deleted_at is not None:
            return replace(plan, blocked="the endpoint was deleted")
        if endpoint.disabled_at is not None:
            return replace(
                plan, blocked=f"the endpoint is disabled ({endpoint.disabled_reason or 'no reason given'})"
            )
        return replace(
            plan,
            secrets=webhook_endpoint_service.signing_secrets(endpoint, utcnow()),
            body=await self.body(session, event, endpoint),
        )

    async def body(self, session: AsyncSession, event: IntegrationEvent, endpoint: WebhookEndpoint) -> bytes:
        """What an attempt sends the endpoint for this event (its target system's mapping applied)."""
        payload = await event_service.payload(session, event)
        for mapper in _payload_mappers.values():
            payload = await mapper(session, event, endpoint.target_system, payload)
        return event_body(event, payload)

    async def page_for_endpoint(
        self, session: AsyncSession, endpoint_id: int, status: str | None, before: int | None, limit: int
    ) -> tuple[list[tuple[Delivery, str]], int | None]:
        """An endpoint's deliveries (with their event type), newest first, and the next page's cursor."""
        rows = list(await DeliveryRepository(session).for_endpoint(endpoint_id, status, before, limit + 1))
        items = rows[:limit]
        return items, items[-1][0].id if len(rows) > limit and items else None

    async def with_attempts(
        self, session: AsyncSession, delivery_id: int
    ) -> tuple[Delivery, list[DeliveryAttempt]]:
        repo = DeliveryRepository(session)
        delivery = await repo.get_or_404(delivery_id, f"delivery {delivery_id} not found")
        return delivery, list(await repo.attempts_for([delivery.id]))

    async def begin_attempt(self, session: AsyncSession, plan: AttemptPlan, started_at: datetime) -> bool:
        """Record the attempt as `sending` before its request is made (committed on its own), so a
        worker killed during the call leaves it counted. False when another run got here first."""
        repo = DeliveryRepository(session)
        delivery = await repo.get_for_update(plan.delivery_id)
        if (
            delivery is None
            or delivery.status != DeliveryStatus.pending
            or delivery.attempts != plan.attempt - 1
        ):
            return False
        for interrupted in await repo.in_flight(delivery.id):
            interrupted.status = AttemptStatus.failed.value
            interrupted.error = INTERRUPTED
            interrupted.finished_at = started_at
            delivery.last_error = INTERRUPTED
            log.warning("delivery.attempt_interrupted", delivery_id=delivery.id, attempt=interrupted.number)
        delivery.attempts = plan.attempt
        delivery.updated_at = started_at
        if plan.trigger == AttemptTrigger.scheduled:
            delivery.scheduled_attempts += 1
        repo.add_attempt(
            DeliveryAttempt(
                delivery_id=delivery.id,
                number=plan.attempt,
                trigger=plan.trigger,
                status=AttemptStatus.sending.value,
                started_at=started_at,
            )
        )
        return True

    async def record_blocked(self, session: AsyncSession, plan: AttemptPlan) -> None:
        """Nothing can be sent (the endpoint is disabled or deleted): the delivery goes to the DLQ."""
        delivery = await DeliveryRepository(session).get_for_update(plan.delivery_id)
        if (
            delivery is None
            or delivery.status != DeliveryStatus.pending
            or delivery.attempts != plan.attempt - 1
        ):
            return  # another run of this attempt got here first
        endpoint = await WebhookEndpointRepository(session).get_any(delivery.endpoint_id)
        event = await session.get(IntegrationEvent, delivery.event_id)
        assert endpoint is not None and event is not None
        delivery.attempts = plan.attempt
        delivery.updated_at = utcnow()
        if plan.trigger == AttemptTrigger.scheduled:
            delivery.scheduled_attempts += 1
        delivery.last_error = plan.blocked
        await self._dead(session, delivery, endpoint, event, count_failure=False)

    async def finish_attempt(self, session: AsyncSession, plan: AttemptPlan, result: SendResult) -> None:
        """Complete the attempt `begin_attempt` recorded with its outcome and decide what comes next."""
        repo = DeliveryRepository(session)
        delivery = await repo.get_for_update(plan.delivery_id)
        if delivery is None or delivery.status != DeliveryStatus.pending or delivery.attempts != plan.attempt:
            return  # our run was presumed dead and another one moved on
        attempt = await repo.attempt(delivery.id, plan.attempt)
        if attempt is None or attempt.status != AttemptStatus.sending:
            return
        endpoint = await WebhookEndpointRepository(session).get_any(delivery.endpoint_id)
        event = await session.get(IntegrationEvent, delivery.event_id)
        assert endpoint is not None and event is not None
        now = utcnow()
        delivery.updated_at = now
        outcome = classify(result)
        attempt.status = (
            AttemptStatus.succeeded if outcome is Outcome.succeeded else AttemptStatus.failed
        ).value
        attempt.status_code = result.status_code
        attempt.duration_ms = result.duration_ms
        attempt.response_excerpt = result.excerpt
        attempt.error = result.error
        attempt.finished_at = now
        delivery.last_status_code = result.status_code
        log.info(
            "delivery.attempted",
            delivery_id=delivery.id,
            attempt=plan.attempt,
            status_code=result.status_code,
            outcome=outcome.value,
            duration_ms=result.duration_ms,
        )
        if outcome is Outcome.succeeded:
            delivery.status = DeliveryStatus.succeeded.value
            delivery.succeeded_at = now
            delivery.next_attempt_at = None
            delivery.last_error = None
            webhook_endpoint_service.note_success(endpoint)
            if plan.trigger == AttemptTrigger.manual:  # only a replay can bring one back from the DLQ
                await dead_letters.resolve_delivery(session, delivery.id)
            return
        delivery.last_error = result.error or f"HTTP {result.status_code}"
        if outcome is Outcome.gone:
            delivery.last_error = "HTTP 410 Gone: the target no longer exists"
            webhook_endpoint_service.disable(endpoint, "the target answered 410 Gone")
            await self._dead(session, delivery, endpoint, event, count_failure=False)
            return
        delay = None
        if outcome is Outcome.retry and plan.trigger == AttemptTrigger.scheduled:
            delay = self._retry_delay(endpoint, delivery, result)
        if delay is None:  # permanent, exhausted, or a manual attempt (one shot)
            await self._dead(session, delivery, endpoint, event, count_failure=True)
            return
        delivery.next_attempt_at = now + delay
        await self._enqueue_attempt(
            session, delivery, AttemptTrigger.scheduled, Lane.integrations_retry, delay
        )

    def _retry_delay(
        self, endpoint: WebhookEndpoint, delivery: Delivery, result: SendResult
    ) -> timedelta | None:
        return retry.webhook_deliveries(runtime.current().settings, endpoint.retry_schedule).delay(
            delivery.scheduled_attempts - 1,
            retry_after=retry.parse_retry_after(result.retry_after),
            overloaded=result.timed_out or result.status_code == 429,
        )

    async def _dead(
        self,
        session: AsyncSession,
        delivery: Delivery,
        endpoint: WebhookEndpoint,
        event: IntegrationEvent,
        *,
        count_failure: bool,
    ) -> None:
        delivery.status = DeliveryStatus.dead.value
        delivery.next_attempt_at = None
        if count_failure:
            webhook_endpoint_service.note_dead_delivery(endpoint)
        await session.flush()
        attempts = await DeliveryRepository(session).attempts_for([delivery.id])
        await dead_letters.record_delivery(
            session,
            event,
            delivery_id=delivery.id,
            endpoint_id=endpoint.id,
            target_system=endpoint.target_system,
            attempts=delivery.attempts,
            error=delivery.last_error or "failed",
            status_code=delivery.last_status_code,
            context={
                "url": endpoint.url,
                "idempotency_key": delivery.idempotency_key,
                "message_id": delivery.message_id,
                "endpoint_disabled": endpoint.disabled_at is not None,
                "attempts": [_attempt_view(a) for a in attempts[-CONTEXT_ATTEMPTS:]],
            },
        )

    async def replay(self, session: AsyncSession, delivery_id: int) -> Delivery:
        """One manual attempt of a dead delivery, now (a failure puts it back in the DLQ)."""
        delivery = await DeliveryRepository(session).get_for_update(delivery_id)
        if delivery is None:
            raise NotFound(f"delivery {delivery_id} not found")
        if delivery.status != DeliveryStatus.dead:
            raise Conflict(f"delivery {delivery_id} is {delivery.status}: only dead deliveries are replayed")
        endpoint = await WebhookEndpointRepository(session).get(delivery.endpoint_id)
        if endpoint is None or not endpoint.enabled:
            raise Conflict(
                f"the endpoint of delivery {delivery_id} is disabled or deleted: re-enable it first",
                details={"endpoint_id": delivery.endpoint_id},
            )
        delivery.status = DeliveryStatus.pending.value
        delivery.next_attempt_at = utcnow()
        delivery.updated_at = utcnow()
        await self._enqueue_attempt(session, delivery, AttemptTrigger.manual, Lane.integrations_retry, None)
        return delivery

    async def event_view(self, session: AsyncSession, event_id: int) -> list[dict[str, Any]]:
        """The event's deliveries with their attempts, for `GET /api/events/{id}`."""
        repo = DeliveryRepository(session)
        deliveries = await repo.for_event(event_id)
        attempts: dict[int, list[dict[str, Any]]] = {}
        for attempt in await repo.attempts_for([d.id for d in deliveries]):
            attempts.setdefault(attempt.delivery_id, []).append(_attempt_view(attempt))
        return [
            {
                "id": d.id,
                "endpoint_id": d.endpoint_id,
                "status": d.status,
                "attempts": d.attempts,
                "idempotency_key": d.idempotency_key,
                "next_attempt_at": _iso(d.next_attempt_at),
                "last_status_code": d.last_status_code,
                "last_error": d.last_error,
                "succeeded_at": _iso(d.succeeded_at),
                "attempt_log": attempts.get(d.id, []),
            }
            for d in deliveries
        ]


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def _attempt_view(attempt: DeliveryAttempt) -> dict[str, Any]:
    return {
        "number": attempt.number,
        "trigger": attempt.trigger,
        "status": attempt.status,
        "status_code": attempt.status_code,
        "duration_ms": attempt.duration_ms,
        "response_excerpt": attempt.response_excerpt,
        "error": attempt.error,
        "started_at": _iso(attempt.started_at),
        "finished_at": _iso(attempt.finished_at),
    }


delivery_service = DeliveryService()
register_detail_loader("deliveries", delivery_service.event_view)
