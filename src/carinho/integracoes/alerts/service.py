"""Evaluates the rules (the scheduler's periodic job), opens and resolves alerts exactly once each,
and serves the console: rules, open alerts, history, acknowledgement.

Once per alert is held by the database, not by luck: a new breach is a row whose `open_key` is
unique among pending and open alerts (a concurrent evaluation's insert fails and is skipped), and
each transition is a conditional UPDATE whose row count says which evaluation made it (only that
one notifies).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from prometheus_client import Counter
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from carinho.errors import Conflict, NotFound, ValidationFailed
from carinho.integracoes.alerts.conditions import CHECKS, Breach, Limits
from carinho.integracoes.alerts.models import AlertRule, AlertStatus, HubAlert
from carinho.integracoes.alerts.notify import schedule_notifications
from carinho.integracoes.alerts.repository import AlertRepository
from carinho.integracoes.alerts.rules import KINDS, RuleKind
from carinho.kit.clock import utcnow
from carinho.logging import get_logger

log = get_logger(__name__)

alerts_opened = Counter("carinho_hub_alerts_opened_total", "Alerts opened (each once), by rule", ["kind"])


@dataclass(frozen=True)
class RuleView:
    """A rule as it applies now: the admin's row, or the kind's defaults."""

    kind: RuleKind
    enabled: bool
    threshold: float
    window_minutes: int
    updated_at: datetime | None

    @property
    def limits(self) -> Limits:
        return Limits(self.threshold, self.window_minutes)


@dataclass(frozen=True)
class Evaluation:
    opened: list[int]
    resolved: list[int]


def _key(kind: str, subject: str) -> str:
    return f"{kind}:{subject}"


class AlertService:
    async def rules(self, session: AsyncSession) -> list[RuleView]:
        rows = await AlertRepository(session).rules()
        views = []
        for kind in KINDS.values():
            row = rows.get(kind.kind)
            views.append(
                RuleView(
                    kind,
                    row.enabled if row else True,
                    row.threshold if row else kind.default_threshold,
                    row.window_minutes if row else kind.default_window_minutes,
                    row.updated_at if row else None,
                )
            )
        return views

    async def update_rule(
        self,
        session: AsyncSession,
        kind: str,
        *,
        enabled: bool,
        threshold: float,
        window_minutes: int,
        operator_id: int | None,
    ) -> AlertRule:
        if kind not in KINDS:
            raise NotFound(f"regra de alerta {kind!r} não existe")
        if threshold < 0 or window_minutes < 0 or window_minutes > 7 * 24 * 60:
            raise ValidationFailed("Limite e janela precisam ser números positivos (janela até 7 dias).")
        rule = await session.get(AlertRule, kind)
        if rule is None:
            rule = AlertRule(kind=kind)
            session.add(rule)
        rule.enabled = enabled
        rule.threshold = threshold
        rule.window_minutes = window_minutes
        rule.updated_at = utcnow()
        rule.updated_by = operator_id
        await session.flush()
        return rule

    async def evaluate(self, session: AsyncSession) -> Evaluation:
        now = utcnow()
        repo = AlertRepository(session)
        breaches: dict[str, tuple[RuleView, Breach]] = {}
        for rule in await self.rules(session):
            if rule.enabled:
                for breach in await CHECKS[rule.kind.kind](session, rule.limits, now):
                    breaches[_key(rule.kind.kind, breach.subject)] = (rule, breach)
        active = {alert.open_key: alert for alert in await repo.active() if alert.open_key}
        opened: list[int] = []
        resolved: list[int] = []
        for key, (rule, breach) in breaches.items():
            alert = active.get(key) or await self._insert_pending(session, rule, breach, now)
            if alert is None:
                continue  # a concurrent evaluation inserted it: that one carries on
            if alert.status == AlertStatus.pending.value:
                alert_age = (now - alert.breached_since).total_seconds()
                due = not rule.kind.sustained or alert_age >= rule.window_minutes * 60
                if due and await repo.promote(alert.id, now):
                    opened.append(alert.id)
                    alerts_opened.labels(kind=rule.kind.kind).inc()
                    await schedule_notifications(session, alert.id, "opened")
        for key, alert in active.items():
            if key in breaches:
                continue
            if alert.status == AlertStatus.pending.value:
                await repo.drop_pending(alert.id)
            elif await repo.resolve(alert.id, now):
                resolved.append(alert.id)
                await schedule_notifications(session, alert.id, "resolved")
        if opened or resolved:
            log.warning("hub.alerts", opened=opened, resolved=resolved)
        return Evaluation(opened, resolved)

    async def _insert_pending(
        self, session: AsyncSession, rule: RuleView, breach: Breach, now: datetime
    ) -> HubAlert | None:
        alert = HubAlert(
            kind=rule.kind.kind,
            subject=breach.subject,
            open_key=_key(rule.kind.kind, breach.subject),
            status=AlertStatus.pending.value,
            title=breach.title[:300],
            details=breach.details,
            breached_since=now,
        )
        try:
            async with session.begin_nested():
                session.add(alert)
        except IntegrityError:
            return None
        return alert

    async def open_alerts(self, session: AsyncSession) -> Sequence[HubAlert]:
        return await AlertRepository(session).open_alerts()

    async def history(
        self, session: AsyncSession, before_id: int | None = None, limit: int = 50
    ) -> Sequence[HubAlert]:
        return await AlertRepository(session).history(before_id, limit)

    async def acknowledge(self, session: AsyncSession, alert_id: int, by: str) -> HubAlert:
        alert = await session.get(HubAlert, alert_id)
        if alert is None:
            raise NotFound(f"alerta {alert_id} não encontrado")
        if alert.status != AlertStatus.open.value:
            raise Conflict("Só um alerta aberto pode ser reconhecido.")
        if alert.acknowledged_at is None:
            alert.acknowledged_at = utcnow()
            alert.acknowledged_by = by[:120]
        return alert


alert_service = AlertService()
