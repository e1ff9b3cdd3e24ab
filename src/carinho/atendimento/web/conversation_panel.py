"""The conversation's side panel (SLA, triage, funnel, contact, incidents, audit) and its actions."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from sqlalchemy.ext.asyncio import AsyncSession

from carinho.atendimento.agents.models import Agent
from carinho.atendimento.inbox.models import Conversation

router = APIRouter(include_in_schema=False)


async def panel_context(session: AsyncSession, agent: Agent, conversation: Conversation) -> dict[str, Any]:
    """What `conversation/side/panel.html` and `conversation/side/emergency_banner.html` need."""
    return {}
