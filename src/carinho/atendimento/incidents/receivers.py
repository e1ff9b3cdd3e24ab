"""What the incidents package does when the inbox emits a signal (see atendimento/signals.py).

Emergencies are reported by agents and by the escalation rules, which call
`incident_service.report_emergency`. Here: an emergency's conversation that loses its assignee gets
another owner at once (ownership.py). Importing this module also registers the personal-data source.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from carinho.atendimento import signals
from carinho.atendimento.history.actor import Actor
from carinho.atendimento.inbox.models import Conversation
from carinho.atendimento.incidents import ownership, privacy
from carinho.atendimento.incidents.repository import IncidentRepository

__all__ = ["privacy"]


async def on_assignee_changed(
    session: AsyncSession,
    *,
    conversation: Conversation,
    before: int | None,
    after: int | None,
    actor: Actor,
    **_: Any,
) -> None:
    if after is not None or not conversation.is_active:
        return
    incident = await IncidentRepository(session).open_emergency(conversation.id)
    if incident is not None:
        await ownership.ensure_owner(session, conversation, incident, actor, released_by=before)


signals.assignee_changed.connect(on_assignee_changed)
