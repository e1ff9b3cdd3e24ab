"""A target's breach: the `sla_breaches` row (by how much, who held the conversation) and its audit
entry. Recorded by the monitor when a deadline passes, or by the service when a target is met late
before the monitor noticed."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from carinho.atendimento.agents.repository import AgentRepository
from carinho.atendimento.history.actor import Actor
from carinho.atendimento.history.service import Action, history_service
from carinho.atendimento.inbox.models import Conversation
from carinho.atendimento.sla import arithmetic
from carinho.atendimento.sla.arithmetic import Pause
from carinho.atendimento.sla.models import SlaBreach, SlaStatus, SlaTarget
from carinho.atendimento.working_hours.calendar import BusinessCalendar


async def record_breach(
    session: AsyncSession,
    target: SlaTarget,
    conversation: Conversation,
    now: datetime,
    calendar: BusinessCalendar,
    pauses: list[Pause],
    before: str | None = None,
) -> SlaBreach:
    """The breach row (by how much, who held the conversation) and its audit entry."""
    target.breached_at = now
    target.met_in_time = False
    overdue = max(0.0, arithmetic.elapsed(calendar, target.started_at, now, pauses) - target.target_minutes)
    agents = AgentRepository(session)
    assignee = await agents.get(conversation.assignee_id) if conversation.assignee_id else None
    breach = SlaBreach(
        conversation_id=conversation.id,
        target_id=target.id,
        target=target.target,
        revision=target.revision,
        priority=target.priority,
        due_at=target.due_at,
        detected_at=now,
        overdue_business_minutes=round(overdue, 3),
        assignee_id=conversation.assignee_id,
        assignee_name=assignee.name if assignee else None,
        level=conversation.level,
    )
    session.add(breach)
    await session.flush()
    history_service.record(
        session,
        Action.sla_breached,
        Actor.system(),
        conversation_id=conversation.id,
        before={"target": target.target, "status": before or target.status},
        after={"target": target.target, "status": SlaStatus.breached.value},
        details={
            "breach_id": breach.id,
            "due_at": target.due_at.isoformat(),
            "overdue_business_minutes": breach.overdue_business_minutes,
            "assignee_id": breach.assignee_id,
            "level": breach.level,
        },
    )
    return breach
