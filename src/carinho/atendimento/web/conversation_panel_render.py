"""Rendering the side panel's sections for htmx: the one an action or a refresh targets, others out
of band, a toast, and what to do when the agent may no longer see the conversation."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse

from carinho.atendimento.web.conversation_panel_views import PanelView
from carinho.atendimento.web.pages import pages
from carinho.kit.ids import Id
from carinho.kit.ui.pages import NO_STORE
from carinho.kit.ui.toasts import toast_trigger

ConversationId = Id
SIDE = "atendimento/conversation/side"
TEMPLATES = {
    "painel": "panel.html",
    "sla": "sla.html",
    "nivel": "level.html",
    "funil": "funnel.html",
    "triagem": "triage.html",
    "ocorrencias": "incidents.html",
    "contato": "contact.html",
    "historico": "history.html",
    "emergencia": "emergency_banner.html",
    "pergunta": "triage_question.html",
    "triagem_progresso": "triage_progress.html",
}


def render_sections(
    request: Request,
    panel: PanelView,
    primary: str,
    oob: Iterable[str] = (),
    *,
    toast: str | None = None,
    tone: str = "success",
    headers: dict[str, str] | None = None,
    **context: Any,
) -> HTMLResponse:
    """One section (swapped where the request targets), and others swapped by id (out of band)."""
    parts = [pages.render_text(request, f"{SIDE}/{TEMPLATES[primary]}", panel=panel, oob=False, **context)]
    parts += [
        pages.render_text(request, f"{SIDE}/{TEMPLATES[name]}", panel=panel, oob=True, **context)
        for name in oob
    ]
    extra = dict(headers or {})
    if toast:
        extra["HX-Trigger"] = toast_trigger(toast, tone)
    return HTMLResponse("".join(parts), headers={**NO_STORE, **extra})


def gone(request: Request, message: str) -> HTMLResponse:
    """The agent can no longer see the conversation (escalated, taken by someone else): the whole
    panel says so in place, whichever section asked."""
    return pages.render(
        request,
        f"{SIDE}/lost.html",
        message=message,
        headers={"HX-Retarget": "#painel-conversa", "HX-Reswap": "outerHTML"},
    )
