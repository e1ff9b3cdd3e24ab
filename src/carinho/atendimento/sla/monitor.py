"""The SLA monitor (every minute): targets whose at-risk or due instant has passed change status.

Only rows that are about to change are read, through the (status, at_risk_at) and (status, due_at)
indexes. Each transition is claimed with a conditional UPDATE, so two overlapping runs never both
act on it; it is audited, raises one alert (its dedupe key names the target, its revision and the
new status) and emits `signals.sla_state_changed`. A breach is also a `sla_breaches` row.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from carinho.atendimento import signals
from carinho.atendimento.history.actor import Actor
from carinho.atendimento.history.service import Action, history_service
from carinho.atendimento.inbox.alerts import alert_service
from carinho.atendimento.inbox.repository import InboxRepository
from carinho.atendimento.sla.breaches import record_breach
from carinho.atendimento.sla.models import SlaStatus, SlaTarget, Target
from carinho.atendimento.sla.repository import SlaRepository
from carinho.atendimento.sla.service import pauses_of, sla_service
from carinho.atendimento.working_hours.service import working_hours_service
from carinho.kit.clock import utcnow
from carinho.logging import get_logger

log = get_logger(__name__)

BATCH = 200
MAX_BATCHES = 10


@dataclass
class MonitorResult:
    at_risk: int = 0
    breached: int = 0


async def run_monitor(session: AsyncSession, now: datetime | None = None) -> MonitorResult:
    now = now or utcnow()
    result = MonitorResult()
    repo = SlaRepository(session)
    await sla_service.reschedule_unscheduled(session, now, BATCH)
    for _ in range(MAX_BATCHES):
        due = await repo.becoming_breached(now, BATCH)
        for target in due:
            if await _transition(session, target, SlaStatus.breached, now):
                result.breached += 1
        risky = await repo.becoming_at_risk(now, BATCH)
        for target in risky:
            if await _transition(session, target, SlaStatus.at_risk, now):
                result.at_risk += 1
        if len(due) < BATCH and len(risky) < BATCH:
            break
    if result.at_risk or result.breached:
        log.info("atendimento.sla_monitor", at_risk=result.at_risk, breached=result.breached)
    return result


async def _transition(session: AsyncSession, target: SlaTarget, after: SlaStatus, now: datetime) -> bool:
    before = target.status
    if not await SlaRepository(session).move_status_if_unchanged(target, after.value):
        await session.refresh(target)
        return False
    target.status = after.value
    conversation = await InboxRepository(session).get(target.conversation_id)
    state = await SlaRepository(session).state(target.conversation_id)
    if conversation is None or state is None:
        return False
    label = Target(target.target).label
    details = {
        "target": target.target,
        "cycle": target.cycle,
        "priority": target.priority,
        "due_at": target.due_at.isoformat(),
        "level": conversation.level,
        "assignee_id": conversation.assignee_id,
    }
    if after is SlaStatus.at_risk:
        target.at_risk_since = now
        history_service.record(
            session,
            Action.sla_at_risk,
            Actor.system(),
            conversation_id=conversation.id,
            before={"target": target.target, "status": before},
            after={"target": target.target, "status": after.value},
            details=details,
        )
        title = f"SLA de {label} em risco na conversa {conversation.id}"
        severity = "warning"
    else:
        calendar = await working_hours_service.calendar(session)
        breach = await record_breach(session, target, conversation, now, calendar, pauses_of(state), before)
        details["overdue_business_minutes"] = breach.overdue_business_minutes
        details["assignee_name"] = breach.assignee_name
        title = f"SLA de {label} violado na conversa {conversation.id}"
        severity = "error"
    await alert_service.raise_alert(
        session,
        kind=f"sla_{after.value}",
        severity=severity,
        title=title,
        details=details,
        conversation_id=conversation.id,
        dedupe_key=f"sla:{target.id}:r{target.revision}:{after.value}",
    )
    await sla_service.refresh_overall(session, conversation.id)
    await signals.sla_state_changed.send(
        session, conversation=conversation, target=target.target, before=before, after=after.value
    )
    return True
