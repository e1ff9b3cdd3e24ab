"""Who may see and act on which incident.

A supervisor (or administrator): every incident. An agent: the incidents they own, and those of the
conversations they may see (the inbox's rule: assigned to them, or unassigned at their level).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from carinho.atendimento.agents.models import Agent
from carinho.atendimento.inbox.access import can_see, sees_everything, visibility_clause
from carinho.atendimento.inbox.models import Conversation
from carinho.atendimento.incidents.models import Incident
from carinho.errors import Forbidden


def can_see_incident(agent: Agent, incident: Incident, conversation: Conversation | None) -> bool:
    if sees_everything(agent) or incident.owner_id == agent.id:
        return True
    return conversation is not None and can_see(agent, conversation)


def ensure_can_see_incident(agent: Agent, incident: Incident, conversation: Conversation | None) -> None:
    if not can_see_incident(agent, incident, conversation):
        raise Forbidden("Acesso negado: você não tem acesso a esta ocorrência nem à conversa dela.")


def incident_visibility_clause(agent: Agent) -> Any | None:
    """A WHERE clause limiting an incident query to what the agent may see (None: everything)."""
    conversations = visibility_clause(agent)
    if conversations is None:
        return None
    return (Incident.owner_id == agent.id) | Incident.conversation_id.in_(
        select(Conversation.id).where(conversations)
    )
