"""Throughput queries of the overview, each a grouped count over a time index:
outbox rows by (status, completed_at), events by created_at and processed_at, dead letters by
(status, created_at), delivery attempts by finished_at. The charts' series group the same ranges by
time bucket (`kit.sql_time.epoch_bucket`: whole minutes or hours since 1970, keys of the dicts)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import InstrumentedAttribute
from sqlalchemy.sql.elements import ColumnElement

from carinho.integracoes.alerts.models import AlertStatus, HubAlert
from carinho.integracoes.database import OutboxMessage
from carinho.integracoes.deliveries.models import AttemptStatus, Delivery, DeliveryAttempt
from carinho.integracoes.dlq.models import DeadLetter, DeadLetterKind, DeadLetterStatus
from carinho.integracoes.events.models import IntegrationEvent
from carinho.integracoes.flows.models import EventStep
from carinho.integracoes.sync.models import SyncJob
from carinho.integracoes.webhook_endpoints.models import WebhookEndpoint
from carinho.kit.repository import SessionRepository
from carinho.kit.sql_time import epoch_bucket
from carinho.worker.models import OutboxStatus


@dataclass(frozen=True)
class TargetDeliveries:
    target_system: str
    attempts: int
    succeeded: int
    avg_duration_ms: float | None
    max_duration_ms: int | None

    @property
    def success_rate(self) -> float:
        return self.succeeded / self.attempts if self.attempts else 0.0


@dataclass(frozen=True)
class DeliveryBucket:
    succeeded: int = 0
    failed: int = 0
    avg_duration_ms: float | None = None


class OpsRepository(SessionRepository):
    async def finished_by_lane(self, since: datetime) -> dict[str, dict[str, int]]:
        """Per lane, work done and failed for good since `since`."""
        m = OutboxMessage
        rows = await self.session.execute(
            select(m.lane, m.status, func.count())
            .where(
                m.status.in_([OutboxStatus.done.value, OutboxStatus.failed.value]), m.completed_at >= since
            )
            .group_by(m.lane, m.status)
        )
        counts: dict[str, dict[str, int]] = {}
        for lane, status, count in rows.all():
            counts.setdefault(str(lane), {})[str(status)] = int(count)
        return counts

    async def deliveries_by_target(self, since: datetime) -> list[TargetDeliveries]:
        a = DeliveryAttempt
        rows = await self.session.execute(
            select(
                WebhookEndpoint.target_system,
                a.status,
                func.count(),
                func.avg(a.duration_ms),
                func.max(a.duration_ms),
            )
            .join(Delivery, Delivery.id == a.delivery_id)
            .join(WebhookEndpoint, WebhookEndpoint.id == Delivery.endpoint_id)
            .where(a.finished_at >= since)
            .group_by(WebhookEndpoint.target_system, a.status)
        )
        totals: dict[str, dict[str, float]] = {}
        for target, status, count, avg, peak in rows.all():
            t = totals.setdefault(str(target), {"attempts": 0, "succeeded": 0, "sum": 0.0, "max": 0})
            t["attempts"] += int(count)
            t["sum"] += float(avg or 0) * int(count)
            t["max"] = max(t["max"], int(peak or 0))
            if status == AttemptStatus.succeeded.value:
                t["succeeded"] += int(count)
        return [
            TargetDeliveries(
                target,
                int(t["attempts"]),
                int(t["succeeded"]),
                round(t["sum"] / t["attempts"], 1) if t["attempts"] else None,
                int(t["max"]) if t["attempts"] else None,
            )
            for target, t in sorted(totals.items())
        ]

    async def _per_bucket(
        self,
        column: InstrumentedAttribute[Any],
        since: datetime,
        seconds: int,
        *where: ColumnElement[bool],
    ) -> dict[int, int]:
        bucket = epoch_bucket(column, seconds)
        rows = await self.session.execute(
            select(bucket, func.count()).where(column >= since, *where).group_by(bucket)
        )
        return {int(key): int(count) for key, count in rows.all()}

    async def events_received_per_bucket(self, since: datetime, seconds: int) -> dict[int, int]:
        return await self._per_bucket(IntegrationEvent.created_at, since, seconds)

    async def events_processed_per_bucket(self, since: datetime, seconds: int) -> dict[int, int]:
        processed_at = IntegrationEvent.processed_at
        # IS NOT NULL spelled out: it is the partial index's condition (SQLite uses it only then).
        return await self._per_bucket(processed_at, since, seconds, processed_at.is_not(None))

    async def events_dead_per_bucket(self, since: datetime, seconds: int) -> dict[int, int]:
        """Events whose retries ran out (their step entered the DLQ), by when that happened."""
        d = DeadLetter
        # Every status listed: the index is (status, created_at), one range per status.
        statuses = [status.value for status in DeadLetterStatus]
        return await self._per_bucket(
            d.created_at, since, seconds, d.status.in_(statuses), d.kind == DeadLetterKind.step.value
        )

    async def deliveries_per_bucket(self, since: datetime, seconds: int) -> dict[int, DeliveryBucket]:
        """Delivery attempts finished per bucket: succeeded, failed and their average duration."""
        a = DeliveryAttempt
        bucket = epoch_bucket(a.finished_at, seconds)
        rows = await self.session.execute(
            select(bucket, a.status, func.count(), func.avg(a.duration_ms))
            .where(a.finished_at >= since)
            .group_by(bucket, a.status)
        )
        totals: dict[int, dict[str, float]] = {}
        for key, status, count, avg in rows.all():
            t = totals.setdefault(int(key), {"ok": 0, "failed": 0, "sum": 0.0, "timed": 0})
            t["ok" if status == AttemptStatus.succeeded.value else "failed"] += int(count)
            if avg is not None:
                t["sum"] += float(avg) * int(count)
                t["timed"] += int(count)
        return {
            key: DeliveryBucket(
                int(t["ok"]), int(t["failed"]), round(t["sum"] / t["timed"], 1) if t["timed"] else None
            )
            for key, t in totals.items()
        }

    async def state_fingerprint(self) -> tuple[Any, ...]:
        """What moves whenever the console's pages would show something new — new events, steps,
        jobs, attempts, DLQ entries, alerts and sync runs (max ids), work finished (max
        completed_at), work running and items open (small counts) — in one statement of index
        lookups, cheap enough to run every second (see console/live.py)."""
        m, d, alert = OutboxMessage, DeadLetter, HubAlert

        def one(query: Any) -> Any:
            return query.scalar_subquery()

        row = await self.session.execute(
            select(
                one(select(func.max(IntegrationEvent.id))),
                one(
                    select(func.max(IntegrationEvent.processed_at)).where(
                        IntegrationEvent.processed_at.is_not(None)
                    )
                ),
                one(select(func.max(EventStep.id))),
                one(select(func.max(m.id))),
                one(select(func.max(m.completed_at)).where(m.status == OutboxStatus.done.value)),
                one(select(func.max(m.completed_at)).where(m.status == OutboxStatus.failed.value)),
                one(select(func.count()).select_from(m).where(m.status == OutboxStatus.running.value)),
                one(select(func.max(DeliveryAttempt.id))),
                one(select(func.max(d.id))),
                one(select(func.count()).select_from(d).where(d.status == DeadLetterStatus.open.value)),
                one(select(func.max(alert.id))),
                one(select(func.count()).select_from(alert).where(alert.status == AlertStatus.open.value)),
                one(select(func.max(SyncJob.id))),
            )
        )
        return tuple(row.one())
