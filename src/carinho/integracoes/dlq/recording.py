"""How the flow runner and the delivery worker put work into the DLQ, and take it out again when a
replay succeeds. One row per step or delivery: a replay that fails again reopens the same row."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from carinho.integracoes.dlq.models import DeadLetter, DeadLetterKind, DeadLetterStatus
from carinho.integracoes.dlq.repository import DeadLetterRepository
from carinho.integracoes.events.models import IntegrationEvent
from carinho.kit.clock import utcnow
from carinho.logging import get_logger

log = get_logger(__name__)


async def _upsert(
    repo: DeadLetterRepository, existing: DeadLetter | None, values: dict[str, Any]
) -> DeadLetter:
    now = utcnow()
    if existing is None:
        item = repo.add(
            DeadLetter(status=DeadLetterStatus.open.value, created_at=now, updated_at=now, **values)
        )
        await repo.session.flush()
        return item
    for name, value in values.items():
        setattr(existing, name, value)
    existing.status = DeadLetterStatus.open.value
    existing.resolved_at = None
    existing.archived_at = None
    return existing


async def record_step(
    session: AsyncSession,
    event: IntegrationEvent,
    *,
    step_id: int,
    step_name: str,
    attempts: int,
    error: str,
    context: dict[str, Any],
    status_code: int | None = None,
) -> DeadLetter:
    """`status_code`: the HTTP status of the step's last failed call (None: no HTTP answer, e.g. a
    timeout or a mapping error)."""
    repo = DeadLetterRepository(session)
    item = await _upsert(
        repo,
        await repo.by_step(step_id),
        {
            "kind": DeadLetterKind.step.value,
            "event_id": event.id,
            "source": event.source,
            "event_type": event.event_type,
            "step_id": step_id,
            "step_name": step_name,
            "attempts": attempts,
            "last_error": error[:4000],
            "last_status_code": status_code,
            "context": context,
        },
    )
    log.warning(
        "dlq.step_dead", event_id=event.id, step=step_name, attempts=attempts, status_code=status_code
    )
    return item


async def record_delivery(
    session: AsyncSession,
    event: IntegrationEvent,
    *,
    delivery_id: int,
    endpoint_id: int,
    target_system: str,
    attempts: int,
    error: str,
    status_code: int | None,
    context: dict[str, Any],
) -> DeadLetter:
    repo = DeadLetterRepository(session)
    item = await _upsert(
        repo,
        await repo.by_delivery(delivery_id),
        {
            "kind": DeadLetterKind.delivery.value,
            "event_id": event.id,
            "source": event.source,
            "event_type": event.event_type,
            "delivery_id": delivery_id,
            "endpoint_id": endpoint_id,
            "target_system": target_system,
            "attempts": attempts,
            "last_error": error[:4000],
            "last_status_code": status_code,
            "context": context,
        },
    )
    log.warning("dlq.delivery_dead", event_id=event.id, delivery_id=delivery_id, status_code=status_code)
    return item


async def resolve_delivery(session: AsyncSession, delivery_id: int) -> None:
    item = await DeadLetterRepository(session).by_delivery(delivery_id)
    if item is not None and item.status != DeadLetterStatus.resolved.value:
        item.status = DeadLetterStatus.resolved.value
        item.resolved_at = utcnow()


async def resolve_event_steps(session: AsyncSession, event_id: int) -> None:
    """The event was processed: its steps' DLQ items (retried or not) are resolved."""
    repo = DeadLetterRepository(session)
    for status in (DeadLetterStatus.retrying.value, DeadLetterStatus.open.value):
        await repo.mark_step_items(
            event_id, status, {"status": DeadLetterStatus.resolved.value, "resolved_at": utcnow()}
        )


async def mark_event_steps_retrying(session: AsyncSession, event_id: int) -> None:
    await DeadLetterRepository(session).mark_step_items(
        event_id,
        DeadLetterStatus.open.value,
        {
            "status": DeadLetterStatus.retrying.value,
            "last_replayed_at": utcnow(),
            "replays": DeadLetter.replays + 1,
        },
    )
