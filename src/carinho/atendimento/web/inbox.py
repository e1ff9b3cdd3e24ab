"""The inbox: the conversations the agent may see, filtered and ordered by urgency, live."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from carinho.atendimento.agents.auth import SessionAgent
from carinho.atendimento.deps import SessionDep
from carinho.atendimento.inbox.repository import ConversationFilters
from carinho.atendimento.inbox.service import inbox_service
from carinho.atendimento.web.pages import pages

router = APIRouter(include_in_schema=False)


async def list_context(request: Request, session: SessionDep, agent: SessionAgent) -> dict[str, Any]:
    conversations = await inbox_service.search(session, agent, ConversationFilters(limit=50))
    return {"conversations": conversations, "current_id": None}


@router.get("/conversas")
async def inbox_page(request: Request, session: SessionDep, agent: SessionAgent) -> Response:
    context = await list_context(request, session, agent)
    return pages.render(request, "atendimento/workspace.html", active="conversas", title="Conversas",
                        conversation=None, **context)
