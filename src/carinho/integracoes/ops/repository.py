"""Throughput queries of the overview, each a grouped count over a time index:
outbox rows by (status, completed_at), events by created_at, delivery attempts by finished_at."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from carinho.integracoes.database import OutboxMessage
from carinho.integracoes.deliveries.models import AttemptStatus, Delivery, DeliveryAttempt
from carinho.integracoes.webhook_endpoints.models import WebhookEndpoint
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


class OpsRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

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
