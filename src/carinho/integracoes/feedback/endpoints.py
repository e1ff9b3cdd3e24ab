"""The feedback link sent 2 hours after a service: a small pt-BR form (rating 0–10 and a comment).
Public (the token in the link is the credential); an answer raises `feedback.received`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Form
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape

from carinho.errors import NotFound
from carinho.integracoes.deps import SessionDep
from carinho.integracoes.flows.steps.feedback_replies import record_answer
from carinho.integracoes.flows.steps.models import FeedbackRequest, FeedbackStatus
from carinho.integracoes.flows.steps.repository import StepsRepository

router = APIRouter(prefix="/feedback", tags=["feedback"])
_templates = Environment(
    loader=FileSystemLoader(Path(__file__).parent / "templates"), autoescape=select_autoescape(["html"])
)


def _page(state: str, error: str | None = None, status_code: int = 200) -> HTMLResponse:
    html = _templates.get_template("feedback.html").render(state=state, error=error)
    return HTMLResponse(html, status_code=status_code)


async def _request(session: SessionDep, token: str) -> FeedbackRequest:
    request = await StepsRepository(session).feedback_by_token(token[:64])
    if request is None:
        raise NotFound("link de avaliação inválido ou expirado")
    return request


@router.get("/{token}", response_class=HTMLResponse, summary="Feedback form (pt-BR)")
async def feedback_form(session: SessionDep, token: str) -> HTMLResponse:
    request = await _request(session, token)
    return _page("answered" if request.status == FeedbackStatus.answered.value else "form")


@router.post("/{token}", response_class=HTMLResponse, summary="Submit the rating (0–10) and a comment")
async def submit_feedback(
    session: SessionDep,
    token: str,
    rating: Annotated[str, Form()] = "",
    comment: Annotated[str, Form(max_length=5000)] = "",
) -> HTMLResponse:
    request = await _request(session, token)
    if request.status == FeedbackStatus.answered.value:
        return _page("answered")
    if not rating.isdigit() or not 0 <= int(rating) <= 10:
        return _page("form", "Escolha uma nota de 0 a 10.", status_code=422)
    await record_answer(session, request, int(rating), comment.strip() or None, "link")
    return _page("thanks")
