"""Satisfação (NPS), for supervisors: NPS and CSAT of a period and over time, promoters / passives /
detractors, a breakdown by agent, level, category or channel, the comments, and the detractor
follow-ups — assigned to a supervisor and concluded with what was done, through the same services
as the JSON API (`report_service`, `followup_service`). The tiles and the follow-ups follow the live
feed (an answer arrives as a message).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response
from sqlalchemy.ext.asyncio import AsyncSession

from carinho.atendimento.agents.auth import SessionSupervisor
from carinho.atendimento.agents.models import Agent
from carinho.atendimento.deps import SessionDep
from carinho.atendimento.satisfaction.followups import followup_service
from carinho.atendimento.satisfaction.models import FollowupStatus
from carinho.atendimento.satisfaction.reports import GroupBy, Period, report_service
from carinho.atendimento.satisfaction.schemas import FollowupDoneIn
from carinho.atendimento.web.conversation_panel_render import ConversationId as FollowupId
from carinho.atendimento.web.form_input import Text, optional_id, validated
from carinho.atendimento.web.pages import pages
from carinho.atendimento.web.supervision_period import ReportPeriod
from carinho.errors import BadRequest
from carinho.kit.clock import utcnow
from carinho.kit.ui.charts import Series
from carinho.kit.ui.table_order import page_count, page_number
from carinho.kit.ui.toasts import toast_trigger

router = APIRouter(include_in_schema=False)

PAGE_URL = "/supervisao/satisfacao"
FOLLOWUPS_URL = PAGE_URL + "/acompanhamentos"
SUMMARY_URL = PAGE_URL + "/resumo"
FOLLOWUPS_SHOWN = 50
COMMENTS_SHOWN = 30
# (URL value, what a person reads, what it selects)
SERIES: list[tuple[str, str, Period]] = [
    ("dia", "Por dia", Period.day),
    ("semana", "Por semana", Period.week),
    ("mes", "Por mês", Period.month),
]
BREAKDOWNS: list[tuple[str, str, GroupBy]] = [
    ("atendente", "Atendente", GroupBy.agent),
    ("nivel", "Nível", GroupBy.level),
    ("categoria", "Categoria (etiqueta)", GroupBy.category),
    ("canal", "Canal da resposta", GroupBy.channel),
]
FOLLOWUP_STATES: list[tuple[str, str, FollowupStatus]] = [
    ("abertos", "Abertos", FollowupStatus.open),
    ("concluidos", "Concluídos", FollowupStatus.done),
]


def _option(value: str | None, options: list[tuple[str, str, Any]], default: str) -> tuple[str, Any]:
    key = value if any(value == k for k, _, _ in options) else default
    return key or default, next(v for k, _, v in options if k == key)


@dataclass(frozen=True)
class SeriesChart:
    labels: list[str]
    series: list[Series]


def _period_label(key: str | None, period: Period) -> str:
    if not key:
        return "—"
    day = date.fromisoformat(key)
    if period is Period.month:
        return day.strftime("%m/%Y")
    return ("semana de " if period is Period.week else "") + day.strftime("%d/%m/%Y")


def _shares(overall: dict[str, Any]) -> list[tuple[str, int]]:
    return [
        ("Promotores (9–10)", overall["promoters"]),
        ("Neutros (7–8)", overall["passives"]),
        ("Detratores (0–6)", overall["detractors"]),
    ]


def _series_chart(rows: list[tuple[str, dict[str, Any]]]) -> SeriesChart:
    return SeriesChart(
        [label for label, _ in rows],
        [Series("NPS", [g["nps"] for _, g in rows]), Series("CSAT (%)", [g["csat"] for _, g in rows])],
    )


async def _followups_context(session: AsyncSession, params: Any = None) -> dict[str, Any]:
    """One page of the follow-ups in one state (`acompanhamentos`, `pagina` in `params`)."""
    params = params or {}
    key, status = _option(params.get("acompanhamentos"), FOLLOWUP_STATES, "abertos")
    total = await followup_service.count(session, status=status, assignee_id=None)
    pages_count = page_count(total, FOLLOWUPS_SHOWN)
    page = min(page_number(params.get("pagina")), pages_count)
    rows = await followup_service.list(
        session, status=status, assignee_id=None, limit=FOLLOWUPS_SHOWN, offset=(page - 1) * FOLLOWUPS_SHOWN
    )
    assignees = await followup_service.assignees(session)
    names = {a.id: a.name for a in assignees}
    return {
        "followups": rows,
        "followup_state": key,
        "followup_total": total,
        "followup_page": page,
        "followup_pages": pages_count,
        "followup_states": [(k, label) for k, label, _ in FOLLOWUP_STATES],
        "assignees": [(a.id, a.name) for a in assignees],
        "assignee_names": names,
        "now": utcnow(),
    }


@router.get(PAGE_URL)
async def satisfaction_page(request: Request, session: SessionDep, supervisor: SessionSupervisor) -> Response:
    params = request.query_params
    period = ReportPeriod.from_query(params)
    serie, series_period = _option(params.get("serie"), SERIES, "dia" if period.days <= 31 else "semana")
    por, group_by = _option(params.get("por"), BREAKDOWNS, "atendente")
    overall, series, breakdown = await report_service.nps_views(
        session,
        period.start,
        period.end,
        [(None, series_period), (GroupBy.period, series_period), (group_by, series_period)],
    )
    rows = [(_period_label(g["key"], series_period), g) for g in series["groups"]]
    return pages.render(
        request,
        "atendimento/supervision/satisfaction.html",
        title="Satisfação (NPS)",
        active="satisfacao",
        period=period,
        figures=overall["overall"],
        share_parts=_shares(overall["overall"]),
        series=rows,
        series_chart=_series_chart(rows),
        serie=serie,
        series_options=[(k, label) for k, label, _ in SERIES],
        breakdown=[(g["label"], g) for g in breakdown["groups"]],
        por=por,
        breakdown_options=[(k, label) for k, label, _ in BREAKDOWNS],
        breakdown_label=next(label for k, label, _ in BREAKDOWNS if k == por),
        comments=await report_service.comments(session, period.start, period.end, COMMENTS_SHOWN),
        **await _followups_context(session, params),
    )


@router.get(SUMMARY_URL)
async def summary_fragment(request: Request, session: SessionDep, supervisor: SessionSupervisor) -> Response:
    """The period's tiles alone (htmx): on the live feed."""
    period = ReportPeriod.from_query(request.query_params)
    overall = await report_service.nps(session, period.start, period.end, None)
    return pages.render(
        request, "atendimento/supervision/satisfaction_tiles.html", figures=overall["overall"]
    )


@router.get(FOLLOWUPS_URL)
async def followups_fragment(
    request: Request, session: SessionDep, supervisor: SessionSupervisor
) -> Response:
    context = await _followups_context(session, request.query_params)
    return pages.render(request, "atendimento/supervision/satisfaction_followups.html", **context)


async def _followups_answer(request: Request, session: AsyncSession, done: str) -> Response:
    return pages.render(
        request,
        "atendimento/supervision/satisfaction_followups.html",
        headers={"HX-Trigger": toast_trigger(done)},
        **await _followups_context(session),
    )


@router.post(FOLLOWUPS_URL + "/{followup_id}/atribuir")
async def assign_followup(
    request: Request,
    followup_id: FollowupId,
    session: SessionDep,
    supervisor: SessionSupervisor,
    responsavel: Annotated[str, Form(max_length=20)] = "",
) -> Response:
    assignee_id = optional_id(responsavel)
    if assignee_id is None:
        raise BadRequest("Escolha o supervisor responsável.")
    await followup_service.assign(session, supervisor, followup_id, assignee_id)
    assignee = await session.get(Agent, assignee_id)
    return await _followups_answer(
        request, session, f"Acompanhamento atribuído a {assignee.name if assignee else '—'}."
    )


@router.post(FOLLOWUPS_URL + "/{followup_id}/concluir")
async def conclude_followup(
    request: Request,
    followup_id: FollowupId,
    session: SessionDep,
    supervisor: SessionSupervisor,
    nota: Text = "",
) -> Response:
    body = validated(
        FollowupDoneIn, {"note": "A nota pode ter até 5.000 caracteres."}, note=nota.strip() or None
    )
    await followup_service.done(session, supervisor, followup_id, body.note)
    return await _followups_answer(request, session, "Acompanhamento concluído.")
