"""Writing an incident's timeline (and the conversation's audit trail alongside it)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from carinho.atendimento.history.actor import Actor
from carinho.atendimento.history.service import history_service
from carinho.atendimento.incidents.models import Incident, IncidentEvent, TimelineAction
from carinho.kit.clock import utcnow


def add_event(
    session: AsyncSession,
    incident: Incident,
    action: TimelineAction,
    actor: Actor,
    *,
    note: str | None = None,
    details: dict[str, Any] | None = None,
) -> IncidentEvent:
    event = IncidentEvent(
        incident_id=incident.id,
        action=action.value,
        actor_type=actor.type.value,
        actor_id=actor.id,
        actor_name=actor.name[:120],
        note=note,
        details=details,
        created_at=utcnow(),
    )
    session.add(event)
    return event


def audit(
    session: AsyncSession,
    action: str,
    actor: Actor,
    incident: Incident,
    *,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    details: dict[str, Any] | None = None,
) -> None:
    """The audit trail entry; free text (descriptions, notes) stays out of it, only field names."""
    history_service.record(
        session,
        action,
        actor,
        conversation_id=incident.conversation_id,
        before=before,
        after=after,
        details={"incident_id": incident.id, **(details or {})},
    )
