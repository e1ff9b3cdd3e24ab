"""An emergency conversation is never unowned.

When an emergency is reported (and whenever its conversation loses its assignee while the emergency
is open) it gets an owner at once:

1. an available N3 attendant (on duty: active and not on a break), the least loaded one;
2. else a supervisor or administrator on duty, the least loaded one;
3. else nobody can take it now: every supervisor and administrator gets a critical
   `emergency_unowned` alert (e-mail and webhook, like every alert), and again every
   `REPEAT_EVERY` until someone takes the conversation — each round first tries 1 and 2 again, in
   case someone came back on duty. Taking it is being assigned it, or acknowledging the emergency
   (whoever acknowledges an unowned emergency becomes its owner).

Capacity does not hold an emergency back: an N3 at capacity still gets it, after those below it.
A conversation already held by an active N3 or supervisor keeps its owner; one held by an N1 or N2
goes to an N3 or a supervisor when one is on duty, and otherwise stays with the person who has it.

Every step writes in the caller's transaction; the repetition is a delayed outbox job, so it survives
restarts and stops by itself once the conversation is owned, resolved, or its emergency closed.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from carinho.atendimento.agents.models import Agent, Role, SupportLevel
from carinho.atendimento.agents.repository import AgentRepository
from carinho.atendimento.history.actor import Actor
from carinho.atendimento.history.service import Action
from carinho.atendimento.inbox.alerts import alert_service
from carinho.atendimento.inbox.models import Conversation
from carinho.atendimento.inbox.repository import InboxRepository
from carinho.atendimento.inbox.service import inbox_service
from carinho.atendimento.incidents.models import Incident
from carinho.atendimento.incidents.repository import IncidentRepository
from carinho.kit.clock import utcnow
from carinho.logging import get_logger
from carinho.worker import enqueue

log = get_logger(__name__)

OWNER_WATCH_JOB = "atendimento.emergency_owner_watch"
REPEAT_EVERY = timedelta(minutes=2)
ALERT_KIND = "emergency_unowned"


def _owns_emergencies(agent: Agent) -> bool:
    return agent.active and (agent.level == SupportLevel.n3.value or agent.has_role(Role.supervisor))


async def _on_duty(session: AsyncSession, exclude: int | None) -> tuple[list[Agent], list[Agent]]:
    """(N3 attendants, supervisors and administrators) who are active and available."""
    rows = await AgentRepository(session).active_and_available(exclude=exclude)
    n3 = [a for a in rows if a.role == Role.agent.value and a.level == SupportLevel.n3.value]
    supervisors = [a for a in rows if a.has_role(Role.supervisor)]
    return n3, supervisors


async def _least_loaded(session: AsyncSession, agents: list[Agent]) -> Agent | None:
    if not agents:
        return None
    load = await InboxRepository(session).open_count_by_agent([a.id for a in agents])

    def rank(agent: Agent) -> tuple[bool, int, bool, object, int]:
        count = load.get(agent.id, 0)
        return (
            count >= agent.capacity,  # under capacity first
            count,
            agent.last_assigned_at is not None,
            agent.last_assigned_at or utcnow(),
            agent.id,
        )

    return min(agents, key=rank)


async def find_owner(session: AsyncSession, exclude: int | None = None) -> Agent | None:
    """Who should own an emergency now: an N3 on duty, else a supervisor on duty, else nobody
    (`exclude`: someone who just let it go)."""
    n3, supervisors = await _on_duty(session, exclude)
    return await _least_loaded(session, n3) or await _least_loaded(session, supervisors)


async def ensure_owner(
    session: AsyncSession,
    conversation: Conversation,
    incident: Incident,
    actor: Actor,
    *,
    released_by: int | None = None,
) -> Agent | None:
    """Give the emergency's conversation an owner (see the module's rules); when nobody can take it,
    alert every supervisor and schedule the next round. Returns the owner, None when there is none.
    `released_by`: the person who just let it go, who does not get it straight back."""
    if not conversation.is_active:
        return None
    holder = await session.get(Agent, conversation.assignee_id) if conversation.assignee_id else None
    if holder is not None and _owns_emergencies(holder):
        return holder
    owner = await find_owner(session, exclude=released_by)
    if owner is not None:
        details: dict[str, object] = {"reason": "emergency", "incident_id": incident.id}
        if holder is not None:
            details["previous_assignee_id"] = holder.id
        await inbox_service._set_assignee(
            session,
            conversation,
            owner,
            actor,
            action=Action.assigned if holder is None else Action.reassigned,
            details=details,
        )
        log.warning(
            "atendimento.emergency_owned",
            incident_id=incident.id,
            conversation_id=conversation.id,
            agent_id=owner.id,
        )
        return owner
    if holder is not None and holder.active:
        return holder  # an N1/N2 has it and nobody above is on duty: it stays with them
    await _alert_and_repeat(session, conversation, incident, round_=1)
    return None


async def _alert_and_repeat(
    session: AsyncSession, conversation: Conversation, incident: Incident, *, round_: int
) -> None:
    await alert_service.raise_alert(
        session,
        kind=ALERT_KIND,
        severity="critical",
        title=(
            f"Emergência sem responsável na conversa {conversation.id}: nenhum N3 nem supervisor "
            "disponível — assuma a conversa"
        ),
        details={"incident_id": incident.id, "round": round_, "level": conversation.level},
        conversation_id=conversation.id,
        dedupe_key=f"{ALERT_KIND}:{incident.id}:{round_}",
    )
    await enqueue(
        session,
        OWNER_WATCH_JOB,
        {"incident_id": incident.id, "round_no": round_ + 1},
        delay=REPEAT_EVERY,
        dedupe_key=f"atendimento:emergency-owner:{incident.id}:{round_ + 1}",
    )
    log.error("atendimento.emergency_unowned", incident_id=incident.id, conversation_id=conversation.id)


async def watch(session: AsyncSession, incident_id: int, round_: int) -> bool:
    """One round of the repetition: stop when the emergency is owned or over; else try to find an
    owner again, and alert again when there is still none. Returns whether it is owned (or over)."""
    incident = await IncidentRepository(session).incident(incident_id, lock=True)
    if incident is None or incident.open_emergency_conversation_id is None:
        return True
    conversation = await InboxRepository(session).conversation(incident.conversation_id or 0, lock=True)
    if conversation is None or not conversation.is_active:
        return True
    holder = await session.get(Agent, conversation.assignee_id) if conversation.assignee_id else None
    if holder is not None and holder.active:
        return True
    owner = await find_owner(session)
    if owner is not None:
        await inbox_service._set_assignee(
            session,
            conversation,
            owner,
            Actor.automation("emergency_owner"),
            action=Action.assigned,
            details={"reason": "emergency", "incident_id": incident.id},
        )
        return True
    await _alert_and_repeat(session, conversation, incident, round_=round_)
    return False


async def take_on_acknowledge(
    session: AsyncSession, agent: Agent, conversation: Conversation, incident: Incident
) -> bool:
    """Whoever acknowledges an emergency nobody owns takes it (they took charge)."""
    if not conversation.is_active or conversation.assignee_id is not None or not agent.active:
        return False
    await inbox_service._set_assignee(
        session,
        conversation,
        agent,
        Actor.of(agent),
        action=Action.assigned,
        details={"reason": "emergency_acknowledged", "incident_id": incident.id},
    )
    return True
