"""Ocorrências e emergências (supervisors): the list with filters, sortable columns and pages (all
in the URL: `situacao`, `gravidade`, `categoria`, `tipo`, `ordem`, `pagina`), refreshed live on every
incident change, exported as CSV with the same filters and order; one incident with its timeline,
and its actions — acknowledge an emergency, move its status (resolve needs a resolution), redeliver to
operação, add a note. Each action calls the same service as the JSON API and answers htmx with the
incident again and a toast; a refusal is a toast.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response
from sqlalchemy.ext.asyncio import AsyncSession

from carinho.atendimento.agents.auth import SessionSupervisor
from carinho.atendimento.agents.models import Agent
from carinho.atendimento.deps import SessionDep
from carinho.atendimento.history.actor import Actor
from carinho.atendimento.incidents.emergencies import emergency_service
from carinho.atendimento.incidents.models import Incident, IncidentStatus, Severity, TimelineAction
from carinho.atendimento.incidents.repository import IncidentFilters
from carinho.atendimento.incidents.service import incident_service
from carinho.atendimento.web.conversation_panel_history import actor_text
from carinho.atendimento.web.conversation_panel_render import ConversationId as IncidentId
from carinho.atendimento.web.conversation_panel_views import incident_item
from carinho.atendimento.web.form_input import Text, incident_status
from carinho.atendimento.web.pages import pages
from carinho.kit.ui.csv_export import csv_response
from carinho.kit.ui.formatting import LOCAL_TZ, datetime_br
from carinho.kit.ui.table_order import TableOrder, page_count, page_number
from carinho.kit.ui.toasts import toast_trigger

router = APIRouter(include_in_schema=False)

LIST_URL = "/supervisao/ocorrencias"
ROWS_URL = LIST_URL + "/lista"
CSV_URL = LIST_URL + ".csv"
PAGE_SIZE = 30
CSV_MAX_ROWS = 10_000
CSV_HEADER = [
    "Número",
    "Aberta em",
    "Ocorrência",
    "Categoria",
    "Gravidade",
    "Situação",
    "Emergência",
    "Responsável",
    "Conversa",
    "Resolvida em",
    "Resolução",
]
# (URL value, what a person reads, the statuses it selects)
STATES: list[tuple[str, str, list[str]]] = [
    ("ativas", "Abertas e em andamento", [IncidentStatus.open.value, IncidentStatus.in_progress.value]),
    *[(s.value, s.label, [s.value]) for s in IncidentStatus],
    ("todas", "Todas", []),
]
KINDS = [("emergencias", "Só emergências", True), ("comuns", "Só ocorrências comuns", False)]
# The table's columns (URL key, header, sortable) and the repository's key of each sortable one.
ORDER = TableOrder(
    columns=[
        ("numero", "#", False),
        ("titulo", "Ocorrência", True),
        ("gravidade", "Gravidade", True),
        ("situacao", "Situação", True),
        ("responsavel", "Responsável", True),
        ("aberta", "Aberta", True),
    ],
    default="-aberta",
)
SORTS = {
    "titulo": "title",
    "gravidade": "severity",
    "situacao": "status",
    "responsavel": "owner",
    "aberta": "created_at",
}
DEFAULT_SORT = ORDER.default


def _pick(value: str | None, keys: list[str]) -> str | None:
    return value if value in keys else None


@dataclass(frozen=True)
class ListState:
    situacao: str = "ativas"
    gravidade: str | None = None
    categoria: str | None = None
    tipo: str | None = None
    ordem: str = DEFAULT_SORT
    pagina: int = 1

    @classmethod
    def from_query(cls, params: Any, categories: list[str]) -> ListState:
        return cls(
            situacao=_pick(params.get("situacao"), [k for k, _, _ in STATES]) or "ativas",
            gravidade=_pick(params.get("gravidade"), [s.value for s in Severity]),
            categoria=_pick(params.get("categoria"), categories),
            tipo=_pick(params.get("tipo"), [k for k, _, _ in KINDS]),
            ordem=ORDER.pick(params.get("ordem")),
            pagina=page_number(params.get("pagina")),
        )

    def filters(self, *, limit: int = PAGE_SIZE, offset: int = 0) -> IncidentFilters:
        sort, descending = ORDER.sort_of(self.ordem, SORTS)
        return IncidentFilters(
            status=next(v for k, _, v in STATES if k == self.situacao) or None,
            severity=[self.gravidade] if self.gravidade else None,
            category_code=self.categoria,
            is_emergency=next((v for k, _, v in KINDS if k == self.tipo), None),
            sort=sort,
            descending=descending,
            limit=limit,
            offset=offset,
        )

    def query(self, **changes: Any) -> str:
        state = replace(self, **changes)
        pairs = [
            ("situacao", None if state.situacao == "ativas" else state.situacao),
            ("gravidade", state.gravidade),
            ("categoria", state.categoria),
            ("tipo", state.tipo),
            ("ordem", None if state.ordem == DEFAULT_SORT else state.ordem),
            ("pagina", None if state.pagina == 1 else state.pagina),
        ]
        return urlencode([(k, v) for k, v in pairs if v is not None])

    def base(self, url: str, **changes: Any) -> str:
        """`url?<this state, changed>&`: the kit's header and pager add `ordem=` / `pagina=`."""
        query = self.query(**changes)
        return f"{url}?{query}&" if query else f"{url}?"


async def _list_context(request: Request, session: AsyncSession, supervisor: Agent) -> dict[str, Any]:
    categories = list(await incident_service.categories(session, active=None))
    state = ListState.from_query(request.query_params, [c.code for c in categories])
    total = await incident_service.count(session, supervisor, state.filters())
    pages_count = page_count(total, PAGE_SIZE)
    state = replace(state, pagina=min(state.pagina, pages_count))
    found = await incident_service.search(
        session, supervisor, state.filters(offset=(state.pagina - 1) * PAGE_SIZE)
    )
    return {
        "state": state,
        "items": [incident_item(i) for i in found],
        "total": total,
        "pages_count": pages_count,
        "columns": ORDER.columns,
        "sort_base": state.base(LIST_URL, ordem=DEFAULT_SORT, pagina=1),
        "page_base": state.base(LIST_URL, pagina=1),
        "rows_url": f"{ROWS_URL}?{state.query()}",
        "csv_url": f"{CSV_URL}?{state.query(pagina=1)}".rstrip("?"),
        "categories": categories,
    }


@router.get(LIST_URL)
async def incidents_page(request: Request, session: SessionDep, supervisor: SessionSupervisor) -> Response:
    context = await _list_context(request, session, supervisor)
    return pages.render(
        request,
        "atendimento/supervision/incidents.html",
        title="Ocorrências",
        active="ocorrencias",
        states=[(k, label) for k, label, _ in STATES],
        severities=[(s.value, s.label) for s in Severity],
        kinds=[(k, label) for k, label, _ in KINDS],
        **{**context, "categories": [(c.code, c.name) for c in context["categories"]]},
    )


@router.get(ROWS_URL)
async def incidents_rows(request: Request, session: SessionDep, supervisor: SessionSupervisor) -> Response:
    """The table and its pager alone (htmx): every incident change on the live feed."""
    context = await _list_context(request, session, supervisor)
    return pages.render(request, "atendimento/supervision/incidents_list.html", **context)


@router.get(CSV_URL)
async def incidents_csv(request: Request, session: SessionDep, supervisor: SessionSupervisor) -> Response:
    """The list as filtered and sorted, every page (up to CSV_MAX_ROWS rows)."""
    categories = list(await incident_service.categories(session, active=None))
    state = ListState.from_query(request.query_params, [c.code for c in categories])
    found = await incident_service.search(session, supervisor, state.filters(limit=CSV_MAX_ROWS))
    rows = (
        [
            i.id,
            datetime_br(i.created_at),
            i.title,
            i.category.name,
            Severity(i.severity).label,
            IncidentStatus(i.status).label,
            "Sim" if i.is_emergency else "Não",
            i.owner.name if i.owner else "",
            i.conversation_id or "",
            datetime_br(i.resolved_at) if i.resolved_at else "",
            i.resolution or "",
        ]
        for i in found
    )
    stamp = datetime.now(LOCAL_TZ).strftime("%Y-%m-%d")
    return csv_response(f"ocorrencias-{stamp}.csv", CSV_HEADER, rows)


async def _detail_context(session: AsyncSession, incident: Incident) -> dict[str, Any]:
    events = await incident_service.timeline(session, incident)
    return {
        "item": incident_item(incident),
        "timeline": [(e, _event_label(e.action), actor_text(e)) for e in reversed(events)],
        "status_labels": {s.value: s.label for s in IncidentStatus},
    }


def _event_label(action: str) -> str:
    try:
        return TimelineAction(action).label
    except ValueError:
        return action


@router.get(LIST_URL + "/{incident_id}")
async def incident_page(
    request: Request, incident_id: IncidentId, session: SessionDep, supervisor: SessionSupervisor
) -> Response:
    incident = await incident_service.get_for(session, supervisor, incident_id)
    return pages.render(
        request,
        "atendimento/supervision/incident.html",
        title=f"Ocorrência #{incident.id}",
        active="ocorrencias",
        **await _detail_context(session, incident),
    )


async def _locked(session: AsyncSession, agent: Agent, incident_id: int) -> Incident:
    return await incident_service.get_for(session, agent, incident_id, lock=True)


async def _answer(request: Request, session: AsyncSession, incident: Incident, done: str) -> Response:
    """The incident's body again (htmx swaps it in place) with a toast."""
    fresh = await incident_service.get(session, incident.id)
    return pages.render(
        request,
        "atendimento/supervision/incident_body.html",
        headers={"HX-Trigger": toast_trigger(done)},
        **await _detail_context(session, fresh),
    )


@router.post(LIST_URL + "/{incident_id}/reconhecer")
async def acknowledge(
    request: Request, incident_id: IncidentId, session: SessionDep, supervisor: SessionSupervisor
) -> Response:
    incident = await _locked(session, supervisor, incident_id)
    await incident_service.acknowledge(session, supervisor, incident)
    return await _answer(request, session, incident, "Emergência reconhecida: você está cuidando do caso.")


@router.post(LIST_URL + "/{incident_id}/reenviar")
async def redeliver(
    request: Request, incident_id: IncidentId, session: SessionDep, supervisor: SessionSupervisor
) -> Response:
    incident = await _locked(session, supervisor, incident_id)
    await emergency_service.redeliver(session, supervisor, incident)
    return await _answer(request, session, incident, "Novo envio à operação solicitado.")


@router.post(LIST_URL + "/{incident_id}/status")
async def change_status(
    request: Request,
    incident_id: IncidentId,
    session: SessionDep,
    supervisor: SessionSupervisor,
    status: Annotated[str, Form(max_length=16)] = "",
    resolucao: Text = "",
) -> Response:
    body = incident_status(status, resolucao)
    incident = await _locked(session, supervisor, incident_id)
    await incident_service.change_status(
        session, Actor.of(supervisor), incident, body.status, note=body.note, resolution=body.resolution
    )
    label = IncidentStatus(incident.status).label.lower()
    return await _answer(request, session, incident, f"Ocorrência {label}: {incident.title}.")


@router.post(LIST_URL + "/{incident_id}/anotar")
async def add_note(
    request: Request,
    incident_id: IncidentId,
    session: SessionDep,
    supervisor: SessionSupervisor,
    nota: Text = "",
) -> Response:
    incident = await _locked(session, supervisor, incident_id)
    await incident_service.add_note(session, Actor.of(supervisor), incident, nota)
    return await _answer(request, session, incident, "Anotação registrada.")
