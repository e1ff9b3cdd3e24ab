"""Rows as the SLA service leaves them, for the panel's figures (API and page tests)."""

from __future__ import annotations

from datetime import datetime, timedelta

from carinho.atendimento.inbox.models import Contact, Conversation
from carinho.atendimento.sla.models import ConversationSla, SlaBreach, SlaTarget
from carinho.runtime import Runtime

_counter = {"n": 0}


async def conversation_in_state(
    rt: Runtime,
    *,
    status: str,
    level: str = "N1",
    priority: str = "normal",
    breached_due: datetime | None = None,
    assignee_id: int | None = None,
    assignee_name: str | None = None,
) -> int:
    """A conversation whose SLA is `status` now; with `breached_due`, an open breach due then."""
    _counter["n"] += 1
    async with rt.db("atendimento").session() as session:
        contact = Contact(phone=f"55119777{_counter['n']:05d}", name=f"Família {_counter['n']}")
        session.add(contact)
        await session.flush()
        conversation = Conversation(
            contact_id=contact.id, status="open", priority=priority, level=level, assignee_id=assignee_id
        )
        session.add(conversation)
        await session.flush()
        start = (breached_due or datetime.now().astimezone()) - timedelta(minutes=30)
        session.add(
            ConversationSla(
                conversation_id=conversation.id, priority=priority, started_at=start, status=status, pauses=[]
            )
        )
        if breached_due is not None:
            target = SlaTarget(
                conversation_id=conversation.id,
                target="first_response",
                cycle=1,
                priority=priority,
                target_minutes=30,
                status="breached",
                started_at=start,
                at_risk_at=start + timedelta(minutes=20),
                due_at=breached_due,
                paused_business_minutes=0.0,
                revision=1,
                met_in_time=False,
                breached_at=breached_due,
            )
            session.add(target)
            await session.flush()
            session.add(
                SlaBreach(
                    conversation_id=conversation.id,
                    target_id=target.id,
                    target="first_response",
                    revision=1,
                    priority=priority,
                    due_at=breached_due,
                    detected_at=breached_due,
                    overdue_business_minutes=0.0,
                    assignee_id=assignee_id,
                    assignee_name=assignee_name,
                    level=level,
                )
            )
        await session.commit()
        return int(conversation.id)


async def ended_target(
    rt: Runtime,
    *,
    started_at: datetime,
    priority: str,
    met: bool,
    target: str = "first_response",
    minutes: float = 10,
) -> None:
    """A target that ended (met in time or not), `minutes` business minutes after it started."""
    _counter["n"] += 1
    async with rt.db("atendimento").session() as session:
        contact = Contact(phone=f"55118777{_counter['n']:05d}", name=None)
        session.add(contact)
        await session.flush()
        conversation = Conversation(contact_id=contact.id, status="resolved", priority=priority)
        session.add(conversation)
        await session.flush()
        session.add(
            SlaTarget(
                conversation_id=conversation.id,
                target=target,
                cycle=1,
                priority=priority,
                target_minutes=30,
                status="met",
                started_at=started_at,
                at_risk_at=started_at,
                due_at=started_at + timedelta(minutes=30),
                paused_business_minutes=0.0,
                revision=1,
                met_in_time=met,
                business_minutes=minutes,
                wall_minutes=minutes,
                ended_at=started_at + timedelta(minutes=minutes),
            )
        )
        await session.commit()
