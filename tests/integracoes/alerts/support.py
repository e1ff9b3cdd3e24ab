"""Helpers for the hub's alert tests: a backed-up lane, rules, evaluations."""

from __future__ import annotations

import uuid
from datetime import timedelta

from sqlalchemy import delete, select

from carinho.integracoes.alerts.models import HubAlert
from carinho.integracoes.alerts.service import Evaluation, alert_service
from carinho.integracoes.database import OutboxMessage
from carinho.integracoes.dlq.models import DeadLetter
from carinho.integracoes.events.models import IntegrationEvent
from carinho.kit.clock import utcnow
from carinho.runtime import Runtime

LANE = "integrations-low"
JOB = "tests.alerts.parked"


async def back_up(rt: Runtime, count: int, lane: str = LANE) -> None:
    """`count` jobs waiting on `lane` (due tomorrow: a drain never runs them, they just wait)."""
    later = utcnow() + timedelta(days=1)
    async with rt.db("integracoes").session() as session:
        for _ in range(count):
            session.add(
                OutboxMessage(
                    job=JOB, lane=lane, args={}, status="pending", available_at=later, visible_at=later
                )
            )
        await session.commit()


async def drain_lane(rt: Runtime, lane: str = LANE) -> None:
    async with rt.db("integracoes").session() as session:
        await session.execute(delete(OutboxMessage).where(OutboxMessage.lane == lane))
        await session.commit()


async def set_rule(
    rt: Runtime, kind: str, threshold: float, window_minutes: int, enabled: bool = True
) -> None:
    async with rt.db("integracoes").session() as session:
        await alert_service.update_rule(
            session,
            kind,
            enabled=enabled,
            threshold=threshold,
            window_minutes=window_minutes,
            operator_id=None,
        )
        await session.commit()


async def evaluate(rt: Runtime) -> Evaluation:
    async with rt.db("integracoes").session() as session:
        result = await alert_service.evaluate(session)
        await session.commit()
        return result


async def alerts(rt: Runtime) -> list[HubAlert]:
    async with rt.db("integracoes").session() as session:
        return list((await session.execute(select(HubAlert).order_by(HubAlert.id))).scalars())


async def dead_letter(rt: Runtime, target_system: str) -> None:
    """A failed event and its DLQ item for `target_system`, created now."""
    now = utcnow()
    async with rt.db("integracoes").session() as session:
        event = IntegrationEvent(
            source="site",
            event_type="lead.created",
            idempotency_key=uuid.uuid4().hex,
            payload="{}",
            status="dead",
            lane="integrations",
            created_at=now,
            updated_at=now,
        )
        session.add(event)
        await session.flush()
        session.add(
            DeadLetter(
                kind="step",
                status="open",
                event_id=event.id,
                source="site",
                event_type="lead.created",
                target_system=target_system,
                context={},
                created_at=now,
                updated_at=now,
            )
        )
        await session.commit()


async def events(rt: Runtime, processed: int, failed: int) -> None:
    """`processed` events processed and `failed` that failed, received now."""
    now = utcnow()
    async with rt.db("integracoes").session() as session:
        for status in ["processed"] * processed + ["failed"] * failed:
            session.add(
                IntegrationEvent(
                    source="crm",
                    event_type="client.registered",
                    idempotency_key=uuid.uuid4().hex,
                    payload="{}",
                    status=status,
                    lane="integrations",
                    created_at=now,
                    updated_at=now,
                )
            )
        await session.commit()
