"""Queries of alert rules and alerts."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select, update

from carinho.integracoes.alerts.models import AlertRule, AlertStatus, HubAlert
from carinho.integracoes.database import Heartbeat
from carinho.kit.repository import SessionRepository

ACTIVE = (AlertStatus.pending.value, AlertStatus.open.value)


class AlertRepository(SessionRepository):
    async def heartbeat_at(self, name: str) -> datetime | None:
        stmt = select(Heartbeat.beat_at).where(Heartbeat.name == name)
        return (await self.session.execute(stmt)).scalar_one_or_none()

    async def heartbeats(self, names: Sequence[str]) -> list[tuple[str, datetime, dict[str, Any] | None]]:
        """(name, beat_at, details) of these heartbeats, by name."""
        stmt = select(Heartbeat.name, Heartbeat.beat_at, Heartbeat.details).where(Heartbeat.name.in_(names))
        return sorted((name, beat_at, details) for name, beat_at, details in await self.session.execute(stmt))

    async def rules(self) -> dict[str, AlertRule]:
        rows = await self.session.execute(select(AlertRule))
        return {rule.kind: rule for rule in rows.scalars()}

    async def active(self) -> Sequence[HubAlert]:
        rows = await self.session.execute(
            select(HubAlert).where(HubAlert.status.in_(ACTIVE)).order_by(HubAlert.id)
        )
        return rows.scalars().all()

    async def open_alerts(self) -> Sequence[HubAlert]:
        rows = await self.session.execute(
            select(HubAlert).where(HubAlert.status == AlertStatus.open.value).order_by(HubAlert.id.desc())
        )
        return rows.scalars().all()

    async def history(self, before_id: int | None, limit: int) -> Sequence[HubAlert]:
        """Opened and resolved alerts, newest first, by keyset on id (pending ones are not news)."""
        stmt = select(HubAlert).where(
            HubAlert.status.in_([AlertStatus.open.value, AlertStatus.resolved.value])
        )
        if before_id is not None:
            stmt = stmt.where(HubAlert.id < before_id)
        rows = await self.session.execute(stmt.order_by(HubAlert.id.desc()).limit(limit))
        return rows.scalars().all()

    async def promote(self, alert_id: int, now: datetime) -> bool:
        """pending → open; False when another evaluation did it first."""
        result = await self.session.execute(
            update(HubAlert)
            .where(HubAlert.id == alert_id, HubAlert.status == AlertStatus.pending.value)
            .values(status=AlertStatus.open.value, opened_at=now)
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]

    async def resolve(self, alert_id: int, now: datetime) -> bool:
        """open → resolved (its key freed); False when another evaluation did it first."""
        result = await self.session.execute(
            update(HubAlert)
            .where(HubAlert.id == alert_id, HubAlert.status == AlertStatus.open.value)
            .values(status=AlertStatus.resolved.value, resolved_at=now, open_key=None)
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]

    async def drop_pending(self, alert_id: int) -> None:
        await self.session.execute(
            delete(HubAlert).where(HubAlert.id == alert_id, HubAlert.status == AlertStatus.pending.value)
        )
