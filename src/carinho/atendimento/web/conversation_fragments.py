"""Rendering the conversation view's parts (header, thread) for the page's htmx answers."""

from __future__ import annotations

import json
import re
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.ext.asyncio import AsyncSession

from carinho.atendimento.agents.models import Agent
from carinho.atendimento.inbox.access import can_see
from carinho.atendimento.inbox.models import Conversation, ConversationStatus, Priority
from carinho.atendimento.web.conversation_view import load_header, load_thread
from carinho.atendimento.web.pages import HOME_URL, pages

TEMPLATE_DIR = "atendimento/conversation"
STATUS_LABELS = {s.value: s.label for s in ConversationStatus}
PRIORITY_LABELS = {p.value: p.label for p in Priority}


STATUS_TONES = {
    "open": "primary",
    "pending": "info",
    "waiting_customer": "accent",
    "resolved": "success",
    "closed": "neutral",
}
PRIORITY_TONES = {"urgent": "danger", "high": "warning", "normal": "neutral", "low": "neutral"}
HEX_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")


def chip_color(value: str | None) -> str | None:
    """A label's colour for `--chip`, only when it is a plain hex colour."""
    return value if value and HEX_COLOUR.match(value) else None


def labels() -> dict[str, Any]:
    """What the templates use to name and colour states."""
    return {
        "status_labels": STATUS_LABELS,
        "priority_labels": PRIORITY_LABELS,
        "status_tones": STATUS_TONES,
        "priority_tones": PRIORITY_TONES,
        "chip_color": chip_color,
    }


def toast(message: str, tone: str = "success") -> dict[str, str]:
    """An htmx answer header that makes carinho.js show a toast (JSON kept ASCII for the header)."""
    return {"HX-Trigger": json.dumps({"carinho-toast": {"message": message, "tone": tone}})}


async def render_thread(
    request: Request,
    session: AsyncSession,
    conversation: Conversation,
    *,
    complete: bool = False,
    headers: dict[str, str] | None = None,
) -> HTMLResponse:
    """The thread: its newest messages, or (`complete`) the whole history. A send answers with the
    newest ones, where the new message is; only the thread's own refresh keeps the whole history."""
    return pages.render(
        request,
        f"{TEMPLATE_DIR}/thread.html",
        headers=headers,
        conversation=conversation,
        thread=await load_thread(session, conversation, complete=complete),
        **labels(),
    )


async def render_header(
    request: Request,
    session: AsyncSession,
    agent: Agent,
    conversation: Conversation,
    *,
    with_thread: bool = False,
    headers: dict[str, str] | None = None,
) -> Response:
    """The header after an action; the thread too (out of band) when the action changes it. When
    the action took the conversation out of the agent's sight (a transfer), back to the inbox."""
    if not can_see(agent, conversation):
        return Response(status_code=200, headers={**(headers or {}), "HX-Redirect": HOME_URL})
    context: dict[str, Any] = {
        "conversation": conversation,
        "header": await load_header(session, agent, conversation),
        "with_thread": with_thread,
        **labels(),
    }
    if with_thread:
        context["thread"] = await load_thread(session, conversation)
    return pages.render(request, f"{TEMPLATE_DIR}/header.html", headers=headers, **context)
