"""The inbox: the conversations the agent may see, filtered and ordered by urgency, live."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy.ext.asyncio import AsyncSession

from carinho.atendimento.agents.auth import SessionAgent
from carinho.atendimento.agents.models import Agent
from carinho.atendimento.deps import SessionDep
from carinho.atendimento.inbox.repository import ConversationFilters
from carinho.atendimento.inbox.service import inbox_service
from carinho.atendimento.web.pages import pages

router = APIRouter(include_in_schema=False)


async def list_pane_context(
    request: Request, session: AsyncSession, agent: Agent, current_id: int | None = None
) -> dict[str, Any]:
    """What `inbox/list_pane.html` needs; the conversation page calls it with the open conversation."""
    conversations = await inbox_service.search(session, agent, ConversationFilters(limit=50))
    return {"conversations": conversations, "current_id": current_id}


@router.get("/conversas")
async def inbox_page(request: Request, session: SessionDep, agent: SessionAgent) -> Response:
    context = await list_pane_context(request, session, agent)
    return pages.render(
        request,
        "atendimento/workspace.html",
        active="conversas",
        title="Conversas",
        conversation=None,
        **context,
    )
