"""Operational alerts checked with the SLA monitor: the backlog (unassigned, waiting for us, growing)
and failed sends, aggregated over a window (inbox/failures.py records each failure in the app;
these are what goes out to people). Each condition alerts once when it starts; it may alert again
only after it has cleared.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from carinho.atendimento.agents.models import Agent
from carinho.atendimento.history.actor import Actor
from carinho.atendimento.history.service import Action, history_service
from carinho.atendimento.inbox.alerts import alert_service
from carinho.atendimento.sla.models import SlaAlertSettings
from carinho.atendimento.sla.repository import SlaRepository
from carinho.errors import BadRequest
from carinho.kit.clock import utcnow

SETTINGS_FIELDS = (
    "backlog_unassigned_threshold",
    "backlog_waiting_threshold",
    "backlog_growth_threshold",
    "backlog_window_minutes",
    "send_failures_threshold",
    "send_failures_window_minutes",
)


async def alert_settings(session: AsyncSession) -> SlaAlertSettings:
    repo = SlaRepository(session)
    row = await repo.alert_settings()
    if row is None:
        row = SlaAlertSettings(
            backlog_unassigned_threshold=15,
            backlog_waiting_threshold=25,
            backlog_growth_threshold=10,
            backlog_window_minutes=30,
            send_failures_threshold=5,
            send_failures_window_minutes=15,
            raised={},
            samples=[],
        )
        repo.add(row)
        await session.flush()
    return row


async def update_alert_settings(
    session: AsyncSession, supervisor: Agent, values: dict[str, int]
) -> SlaAlertSettings:
    row = await alert_settings(session)
    for key in ("backlog_window_minutes", "send_failures_window_minutes"):
        if key in values and not 1 <= values[key] <= 24 * 60:
            raise BadRequest("A janela dos alertas deve ficar entre 1 e 1440 minutos.")
    before = {key: getattr(row, key) for key in SETTINGS_FIELDS}
    for key, value in values.items():
        if key in SETTINGS_FIELDS:
            setattr(row, key, value)
    after = {key: getattr(row, key) for key in SETTINGS_FIELDS}
    if before != after:
        history_service.record(
            session,
            Action.sla_policy_changed,
            Actor.of(supervisor),
            before={"alert_settings": before},
            after={"alert_settings": after},
        )
    await session.flush()
    return row


async def check(session: AsyncSession, now: datetime | None = None) -> list[str]:
    """Raise the alerts of the conditions that started; returns their names."""
    now = now or utcnow()
    repo = SlaRepository(session)
    settings = await alert_settings(session)
    unassigned, waiting = await repo.backlog_counts()
    window_start = now - timedelta(minutes=settings.backlog_window_minutes)
    samples = [s for s in settings.samples or [] if datetime.fromisoformat(s[0]) >= window_start]
    baseline = int(samples[0][1]) if samples else waiting
    settings.samples = [*samples, [now.isoformat(), waiting]]
    failures = await repo.failed_sends_since(now - timedelta(minutes=settings.send_failures_window_minutes))
    conditions: dict[str, tuple[bool, str, dict[str, Any]]] = {
        "backlog_unassigned": (
            unassigned > settings.backlog_unassigned_threshold,
            f"Fila sem responsável: {unassigned} conversas aguardando atribuição",
            {"unassigned": unassigned, "threshold": settings.backlog_unassigned_threshold},
        ),
        "backlog_waiting": (
            waiting > settings.backlog_waiting_threshold,
            f"Fila crescendo: {waiting} conversas aguardando resposta",
            {"waiting": waiting, "threshold": settings.backlog_waiting_threshold},
        ),
        "backlog_growth": (
            waiting - baseline >= settings.backlog_growth_threshold,
            f"Fila crescendo: +{waiting - baseline} conversas aguardando resposta "
            f"em {settings.backlog_window_minutes} minutos",
            {
                "waiting": waiting,
                "baseline": baseline,
                "window_minutes": settings.backlog_window_minutes,
                "threshold": settings.backlog_growth_threshold,
            },
        ),
        "send_failures": (
            failures >= settings.send_failures_threshold,
            f"Falhas de envio: {failures} mensagens falharam "
            f"nos últimos {settings.send_failures_window_minutes} minutos",
            {
                "failed": failures,
                "window_minutes": settings.send_failures_window_minutes,
                "threshold": settings.send_failures_threshold,
            },
        ),
    }
    raised = dict(settings.raised or {})
    started: list[str] = []
    for name, (active, title, details) in conditions.items():
        if active and name not in raised:
            raised[name] = now.isoformat()
            await alert_service.raise_alert(
                session,
                kind=name,
                severity="error" if name == "send_failures" else "warning",
                title=title,
                details=details,
                dedupe_key=f"{name}:{raised[name]}",
            )
            started.append(name)
        elif not active and name in raised:
            del raised[name]
    settings.raised = raised
    await session.flush()
    return started
