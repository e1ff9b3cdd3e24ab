"""What every console action does: record it in the console audit, and answer htmx with the part of
the page it changed plus a toast."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from sqlalchemy.ext.asyncio import AsyncSession

from carinho.integracoes.console.pages import pages
from carinho.integracoes.operators.models import Operator
from carinho.integracoes.operators.service import operator_service
from carinho.kit.ui.pages import NO_STORE, toast_trigger


def audit(
    session: AsyncSession, operator: Operator, action: str, target: str | None = None, **details: Any
) -> None:
    """One row of the console audit (committed with the action's own changes)."""
    operator_service.audit(session, operator, operator.email, action, target=target, details=details)


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
