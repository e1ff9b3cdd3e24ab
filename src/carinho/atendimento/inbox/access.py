"""Who may see and act on which conversation.

An agent: conversations assigned to them, and unassigned ones at their support level.
A supervisor or an administrator: every conversation.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import and_, or_

from carinho.atendimento.agents.models import Agent, Role
from carinho.atendimento.inbox.models import Conversation
from carinho.errors import Forbidden


def sees_everything(agent: Agent) -> bool:
    return agent.has_role(Role.supervisor)


def can_see(agent: Agent, conversation: Conversation) -> bool:
    if sees_everything(agent):
        return True
    if conversation.assignee_id == agent.id:
        return True
    return conversation.assignee_id is None and conversation.level == agent.level


def ensure_can_see(agent: Agent, conversation: Conversation) -> None:
    if not can_see(agent, conversation):
        if conversation.assignee_id is not None:
            raise Forbidden("Acesso negado: esta conversa está atribuída a outro atendente.")
        raise Forbidden(
            f"Acesso negado: esta conversa é do nível {conversation.level} "
            f"e você atende o nível {agent.level}."
        )


def visibility_clause(agent: Agent) -> Any | None:
    """A WHERE clause limiting a conversation query to what the agent may see (None: everything)."""
    if sees_everything(agent):
        return None
    return or_(
        Conversation.assignee_id == agent.id,
        and_(Conversation.assignee_id.is_(None), Conversation.level == agent.level),
    )


def ensure_supervisor(agent: Agent, what: str) -> None:
    if not agent.has_role(Role.supervisor):
        raise Forbidden(f"Acesso negado: {what} exige o papel supervisor.")
