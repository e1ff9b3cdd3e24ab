"""An action's answer to htmx: the part of the page it changed, and a toast (the audit of the action:
`views.audit`)."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse

from carinho.integracoes.console.pages import pages
from carinho.kit.ui.pages import NO_STORE
from carinho.kit.ui.toasts import toast_trigger


def answer(
    request: Request,
    template: str,
    *,
    toast: str | None = None,
    tone: str = "success",
    status_code: int = 200,
    **context: Any,
) -> HTMLResponse:
    """A fragment for htmx to swap, with a toast when the action has something to say."""
    headers = {**NO_STORE}
    if toast:
        headers["HX-Trigger"] = toast_trigger(toast, tone)
    return HTMLResponse(
        pages.render_text(request, template, **context), status_code=status_code, headers=headers
    )
