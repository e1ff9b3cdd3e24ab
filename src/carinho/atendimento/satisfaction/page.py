"""The public survey page (`/nps/{token}`): small, pt-BR, no external assets. The token in the link
is the only credential, so every answer is an HTML page, never a JSON error or a stack trace."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape
from sqlalchemy.ext.asyncio import AsyncSession

from carinho.atendimento.satisfaction.models import AnswerChannel, SatisfactionSettings, Survey
from carinho.atendimento.satisfaction.service import satisfaction_service
from carinho.atendimento.working_hours.service import working_hours_service

_templates = Environment(
    loader=FileSystemLoader(Path(__file__).parent / "templates"), autoescape=select_autoescape(["html"])
)
NO_STORE = {"Cache-Control": "no-store", "X-Robots-Tag": "noindex"}


def render(
    state: str,
    survey: Survey | None = None,
    *,
    config: SatisfactionSettings | None = None,
    error: str | None = None,
    update_until: str | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    html = _templates.get_template("nps.html").render(
        state=state,
        survey=survey,
        error=error,
        update_until=update_until,
        csat_enabled=bool(config and config.csat_enabled),
    )
    return HTMLResponse(html, status_code=status_code, headers=NO_STORE)


def invalid() -> HTMLResponse:
    return render("invalid", status_code=404)


async def _update_until(session: AsyncSession, survey: Survey, config: SatisfactionSettings) -> str | None:
    if survey.answered_at is None:
        return None
    tz = (await working_hours_service.calendar(session)).tz
    until = (survey.answered_at + timedelta(days=config.update_window_days)).astimezone(tz)
    return until.strftime("%d/%m/%Y às %H:%M")


async def show(session: AsyncSession, token: str) -> HTMLResponse:
    survey = await satisfaction_service.by_token(session, token)
    if survey is None:
        return invalid()
    config = await satisfaction_service.settings(session)
    if not satisfaction_service.may_update(survey, config):
        return render("answered", survey, config=config)
    return render("form", survey, config=config, update_until=await _update_until(session, survey, config))


def _choice(value: str, low: int, high: int) -> int | None:
    value = value.strip()
    if not value.isdigit() or len(value) > 2 or not low <= int(value) <= high:
        return None
    return int(value)


async def submit(session: AsyncSession, token: str, score: str, csat: str, comment: str) -> HTMLResponse:
    survey = await satisfaction_service.by_token(session, token)
    if survey is None:
        return invalid()
    config = await satisfaction_service.settings(session)
    if not satisfaction_service.may_update(survey, config):
        return render("answered", survey, config=config, status_code=409)
    value = _choice(score, 0, 10)
    csat_value = _choice(csat, 1, 5) if csat.strip() else None
    if value is None or (csat.strip() and csat_value is None):
        return render(
            "form",
            survey,
            config=config,
            error="Escolha uma nota de 0 a 10 (e, se quiser, uma satisfação de 1 a 5).",
            status_code=422,
        )
    await satisfaction_service.answer(
        session, survey, value, comment[:5000], csat_value, AnswerChannel.link, config
    )
    return render("thanks", survey, config=config)
