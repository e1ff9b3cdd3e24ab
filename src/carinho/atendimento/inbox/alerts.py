"""Alerts a supervisor must see: failed sends, SLA at risk or breached, backlog, emergencies.

Each new alert is listed in the app and, unless its kind is in-app only, fanned out by e-mail and
webhook (alert_fanout.py). A repeated `dedupe_key` returns the first alert and sends nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from carinho.atendimento.agents.models import Agent
from carinho.atendimento.inbox.alert_fanout import schedule_fanout
from carinho.atendimento.inbox.models import Alert
from carinho.atendimento.inbox.repository import InboxRepository
from carinho.errors import NotFound
from carinho.kit.clock import utcnow
from carinho.logging import get_logger

log = get_logger(__name__)

# One alert per failed message is for the app's list; people are told by the aggregated
# `send_failures` alert of the SLA monitor instead of one e-mail per message.
IN_APP_ONLY = frozenset({"message_send_failed"})


class AlertService:
    async def raise_alert(
        self,
        session: AsyncSession,
        *,
        kind: str,
        title: str,
        severity: str = "warning",
        details: dict[str, Any] | None = None,
        conversation_id: int | None = None,
        message_id: int | None = None,
        dedupe_key: str | None = None,
    ) -> Alert:
        repo = InboxRepository(session)
        if dedupe_key is not None:
            existing = await repo.alert_by_key(dedupe_key)
            if existing is not None:
                return existing
        alert = Alert(
            kind=kind,
            severity=severity,
            title=title[:200],
            details=details or {},
            conversation_id=conversation_id,
            message_id=message_id,
            dedupe_key=dedupe_key,
            created_at=utcnow(),
        )
        repo.add(alert)
        await session.flush()
        log.warning("atendimento.alert", kind=kind, alert_id=alert.id, conversation_id=conversation_id)
        if kind not in IN_APP_ONLY:
            await schedule_fanout(session, alert)
        return alert

    async def list(self, session: AsyncSession, *, open_only: bool = True) -> Sequence[Alert]:
        return await InboxRepository(session).alerts(open_only=open_only)

    async def acknowledge(self, session: AsyncSession, agent: Agent, alert_id: int) -> Alert:
        alert = await InboxRepository(session).alert(alert_id)
        if alert is None:
            raise NotFound("Alerta não encontrado.")
        if alert.acknowledged_at is None:
            alert.acknowledged_at = utcnow()
            alert.acknowledged_by_id = agent.id
        return alert


alert_service = AlertService()
