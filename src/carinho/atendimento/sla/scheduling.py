"""A target's deadlines, and what happens when the calendar has no business time to give them.

A calendar whose closures and holidays cover the whole search horizon (or, before it was refused,
a week with no open hours) cannot place a deadline. That must never fail the inbound message that
started the target: the clock cannot run, so the target waits paused with a placeholder deadline,
flagged (audit entry, log, one alert a day), and the monitor schedules it once the calendar opens
(`SlaService.reschedule_unscheduled`).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from carinho.atendimento.history.actor import Actor
from carinho.atendimento.history.service import Action, history_service
from carinho.atendimento.inbox.alerts import alert_service
from carinho.atendimento.sla import arithmetic
from carinho.atendimento.sla.arithmetic import Pause
from carinho.atendimento.sla.models import ConversationSla, SlaTarget
from carinho.atendimento.working_hours.calendar import SEARCH_HORIZON_DAYS, BusinessCalendar, NoOpenTime
from carinho.kit.clock import utcnow
from carinho.logging import get_logger

log = get_logger(__name__)


def schedule(calendar: BusinessCalendar, row: SlaTarget, at_risk_percent: int, pauses: list[Pause]) -> None:
    """Set the target's due and at-risk instants (or leave it paused when there is no business time)."""
    try:
        row.due_at = arithmetic.deadline(calendar, row.started_at, row.target_minutes, pauses)
        row.at_risk_at = arithmetic.deadline(
            calendar, row.started_at, row.target_minutes * at_risk_percent / 100, pauses
        )
    except NoOpenTime:
        row.due_at = row.at_risk_at = row.started_at + timedelta(days=SEARCH_HORIZON_DAYS)
        row.paused_since = row.paused_since or row.started_at


def is_unscheduled(state: ConversationSla, target: SlaTarget) -> bool:
    """Paused while the conversation is not: the calendar had no business time to schedule it."""
    return target.paused_since is not None and state.paused_since is None


async def flag_unscheduled(
    session: AsyncSession, state: ConversationSla, targets: Sequence[SlaTarget | None]
) -> None:
    """Targets the calendar could not schedule: audited, logged and one alert a day (supervisors
    must give the calendar open time)."""
    flagged = [t.target for t in targets if t is not None and is_unscheduled(state, t)]
    if not flagged:
        return
    conversation_id = state.conversation_id
    log.warning("atendimento.sla_no_business_time", conversation_id=conversation_id, targets=flagged)
    history_service.record(
        session,
        Action.sla_paused_no_business_time,
        Actor.system(),
        conversation_id=conversation_id,
        details={"targets": flagged, "horizon_days": SEARCH_HORIZON_DAYS},
    )
    await alert_service.raise_alert(
        session,
        kind="sla_no_business_time",
        severity="error",
        title="SLA pausado: o calendário não tem horário de atendimento nos próximos meses",
        details={"conversation_id": conversation_id, "targets": flagged},
        dedupe_key=f"sla:no-business-time:{utcnow():%Y-%m-%d}",
    )
