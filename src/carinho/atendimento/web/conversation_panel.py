"""The conversation's side panel (SLA, level, funnel, triage, incidents, contact, audit trail), the
emergency banner, and their live refreshes.

The conversation page (`web/conversation.py`) calls `panel_context` and includes
`conversation/side/panel.html` (side column) and `conversation/side/emergency_banner.html` (top of the
centre) with its dict merged into the page's context. Each section re-renders itself on the
conversation's live event (`carinho-live-<id>`), and the actions (conversation_panel_actions.py)
answer htmx with the sections they changed.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy.ext.asyncio import AsyncSession

from carinho.atendimento.agents.auth import SessionAgent
from carinho.atendimento.agents.models import Agent
from carinho.atendimento.deps import SessionDep
from carinho.atendimento.inbox.models import Conversation
from carinho.atendimento.inbox.service import inbox_service
from carinho.atendimento.web import conversation_panel_actions
from carinho.atendimento.web.conversation_panel_render import ConversationId, gone, render_sections
from carinho.atendimento.web.conversation_panel_views import SECTIONS, build_panel
from carinho.errors import Forbidden, NotFound

router = APIRouter(include_in_schema=False)


async def panel_context(session: AsyncSession, agent: Agent, conversation: Conversation) -> dict[str, Any]:
    """What `conversation/side/panel.html` and `conversation/side/emergency_banner.html` need."""
    return {"panel": await build_panel(session, agent, conversation)}


@router.get("/conversas/{conversation_id}/painel")
async def whole_panel(
    request: Request, conversation_id: ConversationId, agent: SessionAgent, session: SessionDep
) -> Response:
    conversation = await inbox_service.get_for(session, agent, conversation_id)
    panel = await build_panel(session, agent, conversation)
    return render_sections(request, panel, "painel")


@router.get("/conversas/{conversation_id}/painel/{section}")
async def one_section(
    request: Request,
    conversation_id: ConversationId,
    section: str,
    agent: SessionAgent,
    session: SessionDep,
    tudo: bool = False,
) -> Response:
    """A section again: its live refresh, or the whole audit trail (`?tudo=1`)."""
    if section not in SECTIONS:
        raise NotFound("Seção do painel não encontrada.")
    try:
        conversation = await inbox_service.get_for(session, agent, conversation_id)
    except Forbidden as exc:
        if request.headers.get("hx-request") == "true":
            return gone(request, exc.message)
        raise
    panel = await build_panel(session, agent, conversation, {section}, history_everything=tudo)
    return render_sections(request, panel, section)


router.include_router(conversation_panel_actions.router)
