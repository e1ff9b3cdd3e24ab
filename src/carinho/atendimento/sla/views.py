"""The API's view of the SLA: policies and a conversation's state, with the live elapsed times."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from carinho.atendimento.inbox.models import Priority
from carinho.atendimento.sla import arithmetic
from carinho.atendimento.sla.models import ConversationSla, SlaStatus, Target
from carinho.atendimento.sla.repository import SlaRepository
from carinho.atendimento.sla.schemas import BreachOut, ConversationSlaOut, PauseOut, PolicyOut, TargetOut
from carinho.atendimento.sla.service import PolicyValues, pauses_of
from carinho.atendimento.working_hours.service import working_hours_service
from carinho.kit.clock import utcnow


def policy_out(priority: Priority, values: PolicyValues) -> PolicyOut:
    return PolicyOut(priority=priority, priority_label=priority.label, **values.__dict__)


async def conversation_sla_out(session: AsyncSession, state: ConversationSla) -> ConversationSlaOut:
    repo = SlaRepository(session)
    calendar = await working_hours_service.calendar(session)
    now = utcnow()
    pauses = pauses_of(state)
    targets = []
    for row in await repo.targets(state.conversation_id):
        end = row.ended_at or now
        elapsed = (
            row.business_minutes
            if row.business_minutes is not None
            else arithmetic.elapsed(calendar, row.started_at, end, pauses)
        )
        targets.append(
            TargetOut(
                target=Target(row.target),
                target_label=Target(row.target).label,
                cycle=row.cycle,
                priority=Priority(row.priority),
                target_minutes=row.target_minutes,
                status=SlaStatus(row.status),
                status_label=SlaStatus(row.status).label,
                started_at=row.started_at,
                at_risk_at=row.at_risk_at,
                due_at=row.due_at,
                paused=row.paused_since is not None,
                elapsed_business_minutes=round(elapsed, 2),
                paused_business_minutes=round(
                    arithmetic.paused_minutes(calendar, row.started_at, end, pauses), 2
                ),
                at_risk_since=row.at_risk_since,
                breached_at=row.breached_at,
                ended_at=row.ended_at,
                met_in_time=row.met_in_time,
                business_minutes=row.business_minutes,
                wall_minutes=row.wall_minutes,
                agent_id=row.agent_id,
            )
        )
    return ConversationSlaOut(
        conversation_id=state.conversation_id,
        priority=Priority(state.priority),
        status=SlaStatus(state.status),
        status_label=SlaStatus(state.status).label,
        started_at=state.started_at,
        paused=state.paused_since is not None,
        paused_business_minutes=round(state.paused_business_minutes or 0.0, 2),
        pauses=[_pause(p) for p in state.pauses or []]
        + (
            [PauseOut(start=state.paused_since, end=None, business_minutes=None)]
            if state.paused_since
            else []
        ),
        targets=targets,
        breaches=[BreachOut.model_validate(b) for b in await repo.breaches(state.conversation_id)],
    )


def _pause(item: dict[str, object]) -> PauseOut:
    return PauseOut(
        start=datetime.fromisoformat(str(item["start"])),
        end=datetime.fromisoformat(str(item["end"])),
        business_minutes=float(str(item.get("business_minutes") or 0.0)),
    )
