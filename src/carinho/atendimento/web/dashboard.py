"""Dashboard em tempo real (supervisors): tiles and charts of the live metrics, refreshed on every
live change (a message, a conversation, an SLA change…) and every 30 s; and the same figures in a
wall-screen mode for the office TV (`/supervisao/dashboard/tv`: large type, no navigation).

The figures are GET /api/metrics/live's (`metrics_service.snapshot`), never a second computation.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from carinho.atendimento.agents.auth import SessionSupervisor
from carinho.atendimento.deps import SessionDep
from carinho.atendimento.incidents.models import Severity
from carinho.atendimento.metrics.schemas import LiveMetrics
from carinho.atendimento.metrics.service import metrics_service
from carinho.atendimento.web.pages import pages
from carinho.kit.ui.charts import Series, bar_chart, share_bar
from carinho.kit.ui.formatting import local, percent_br

router = APIRouter(include_in_schema=False)

PAGE_URL = "/supervisao/dashboard"
WALL_URL = "/supervisao/dashboard/tv"
FIGURES_URL = "/supervisao/dashboard/dados"
# Severities most serious first (the share bar's order and colours: red first).
SEVERITIES = [Severity.critical, Severity.high, Severity.medium, Severity.low]
MAX_AGENTS_IN_CHART = 12


def _charts(figures: LiveMetrics, wall: bool) -> dict[str, Any]:
    suffix = "-tv" if wall else ""
    levels = figures.conversations.by_level
    by_level = bar_chart(
        [lv.level for lv in levels],
        [
            Series("Abertas", [lv.open for lv in levels]),
            Series("Aguardando resposta", [lv.waiting for lv in levels], tone=2),
            Series("Sem responsável", [lv.unassigned for lv in levels], tone=4),
        ],
        title="Conversas por nível",
        ident=f"dash-niveis{suffix}",
        table=not wall,
    )
    hours = figures.messages.hours
    messages = bar_chart(
        [f"{local(h.hour_start).hour:02d}h" for h in hours],  # type: ignore[union-attr]
        [
            Series("Recebidas", [h.inbound for h in hours]),
            Series("Enviadas", [h.outbound for h in hours], tone=1),
        ],
        title="Mensagens por hora, últimas 24 horas",
        ident=f"dash-mensagens{suffix}",
        table=not wall,
    )
    people = sorted(
        (a for a in figures.agents.items if a.online or a.active_conversations),
        key=lambda a: (-a.load, a.name),
    )[:MAX_AGENTS_IN_CHART]
    load = bar_chart(
        [a.name.split()[0] for a in people],
        [Series("Carga (conversas ativas ÷ capacidade)", [round(a.load * 100, 1) for a in people])],
        title="Carga dos atendentes online ou com conversas",
        fmt=percent_br,
        ident=f"dash-carga{suffix}",
        table=not wall,
    )
    open_by_severity = figures.incidents.get("incidents_open_by_severity") or {}
    incidents = share_bar(
        [(s.label, open_by_severity.get(s.value, 0)) for s in SEVERITIES],
        title="Ocorrências abertas por gravidade",
        tones=[4, 2, 0, 3],  # critical red, high orange, medium purple, low blue
        ident=f"dash-ocorrencias{suffix}",
    )
    sat = figures.satisfaction
    responses = int(sat.get("responses_30d") or 0)
    promoters, detractors = int(sat.get("promoters_30d") or 0), int(sat.get("detractors_30d") or 0)
    nps = share_bar(
        [
            ("Promotores", promoters),
            ("Neutros", responses - promoters - detractors),
            ("Detratores", detractors),
        ],
        title="Respostas de NPS, últimos 30 dias",
        tones=[5, 3, 4],  # promoters green, passives blue, detractors red
        ident=f"dash-nps{suffix}",
    )
    return {"by_level": by_level, "messages": messages, "load": load, "incidents": incidents, "nps": nps}


async def _context(session: Any, wall: bool) -> dict[str, Any]:
    figures = await metrics_service.snapshot(session)
    return {"m": figures, "charts": _charts(figures, wall), "wall": wall, "severities": SEVERITIES}


@router.get(PAGE_URL)
async def dashboard_page(request: Request, session: SessionDep, supervisor: SessionSupervisor) -> Response:
    return pages.render(
        request,
        "atendimento/supervision/dashboard.html",
        active="dashboard",
        title="Dashboard em tempo real",
        **await _context(session, wall=False),
    )


@router.get(WALL_URL)
async def dashboard_wall(request: Request, session: SessionDep, supervisor: SessionSupervisor) -> Response:
    """The office TV: the same figures, large, without the navigation."""
    return pages.render(
        request,
        "atendimento/supervision/dashboard_wall.html",
        title="Dashboard (TV)",
        **await _context(session, wall=True),
    )


@router.get(FIGURES_URL)
async def dashboard_figures(request: Request, session: SessionDep, supervisor: SessionSupervisor) -> Response:
    """The figures region alone (htmx): every live change and every 30 s; `?tv=1` for the TV."""
    wall = request.query_params.get("tv") == "1"
    return pages.render(
        request, "atendimento/supervision/dashboard_figures.html", **await _context(session, wall=wall)
    )
