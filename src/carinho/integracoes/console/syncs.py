"""Sincronizações: the four scheduled syncs (schedule, last run, watermark, counts, errors), their
history of runs, and "Executar agora" for an operator. Refreshes itself while a run is queued or
running."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Path, Query, Request
from fastapi.responses import Response

from carinho.errors import NotFound
from carinho.integracoes.console import labels
from carinho.integracoes.console.actions import answer
from carinho.integracoes.console.auth import ConsoleOperator, ConsoleViewer, HubSession
from carinho.integracoes.console.pages import pages
from carinho.integracoes.console.views import audit
from carinho.integracoes.operators.models import OperatorRole
from carinho.integracoes.sync.definitions import SYNCS
from carinho.integracoes.sync.models import SyncStatus
from carinho.integracoes.sync.service import sync_service
from carinho.kit.db import BIGINT_MAX
from carinho.kit.masking import mask_text

router = APIRouter(include_in_schema=False)

URL = "/sincronizacoes"
HISTORY_PAGE = 20
SyncName = Annotated[str, Path(max_length=60)]
Filter = Annotated[str, Query(max_length=60)]
Before = Annotated[int | None, Query(ge=1, le=BIGINT_MAX)]


def _filters(sync: str, status: str) -> tuple[str | None, str | None]:
    """Unknown values (an old link, a typo in the address) are no filter."""
    return (sync if sync in SYNCS else None, status if status in set(SyncStatus) else None)


async def _context(session: HubSession, sync: str | None, status: str | None) -> dict[str, Any]:
    stats = await sync_service.stats(session)
    runs, cursor = await sync_service.jobs(session, sync, status, None, HISTORY_PAGE)
    return {
        "syncs": [(summary, labels.schedule(SYNCS[summary.sync].trigger)) for summary in stats.syncs],
        "runs": runs,
        "cursor": cursor,
        "filters": {"sync": sync or "", "status": status or ""},
        "live": await sync_service.in_progress(session),
        **_helpers(),
    }


def _helpers() -> dict[str, Any]:
    return {
        "sync_status": lambda value: labels.status(labels.SYNC_STATUS, value),
        "trigger_label": lambda value: labels.SYNC_TRIGGER.get(value, value),
        "masked": mask_text,
        "run_time": labels.run_time,
        "sync_options": [(name, name) for name in SYNCS],
        "status_options": [(s.value, labels.SYNC_STATUS[s.value][0]) for s in SyncStatus],
    }


@router.get(URL)
async def syncs_page(
    request: Request, session: HubSession, operator: ConsoleViewer, sync: Filter = "", status: Filter = ""
) -> Response:
    context = await _context(session, *_filters(sync, status))
    return pages.render(
        request,
        "console/syncs/page.html",
        active="sincronizacoes",
        title="Sincronizações",
        can_run=operator.has_role(OperatorRole.operator),
        **context,
    )


@router.get(f"{URL}/atualizar")
async def syncs_refresh(
    request: Request, session: HubSession, operator: ConsoleViewer, sync: Filter = "", status: Filter = ""
) -> Response:
    context = await _context(session, *_filters(sync, status))
    return pages.render(
        request, "console/syncs/body.html", can_run=operator.has_role(OperatorRole.operator), **context
    )


@router.get(f"{URL}/execucoes")
async def syncs_more(
    request: Request,
    session: HubSession,
    operator: ConsoleViewer,
    sync: Filter = "",
    status: Filter = "",
    antes: Before = None,
) -> Response:
    """The next (older) runs of the history, for "Carregar mais"."""
    name, state = _filters(sync, status)
    runs, cursor = await sync_service.jobs(session, name, state, antes, HISTORY_PAGE)
    return pages.render(
        request,
        "console/syncs/rows.html",
        runs=runs,
        cursor=cursor,
        filters={"sync": name or "", "status": state or ""},
        **_helpers(),
    )


@router.post(f"{URL}/{{name}}/executar")
async def run_now(
    request: Request,
    session: HubSession,
    operator: ConsoleOperator,
    name: SyncName,
    sync: Annotated[str, Form(max_length=60)] = "",
    status: Annotated[str, Form(max_length=60)] = "",
) -> Response:
    if name not in SYNCS:
        raise NotFound("Sincronização não encontrada.")
    job = await sync_service.start(session, name)
    audit(session, operator, "sync_started", name, {"sync_job_id": job.id})
    await session.flush()
    context = await _context(session, *_filters(sync, status))
    return answer(
        request,
        "console/syncs/body.html",
        toast=f"Execução #{job.id} de {name} na fila.",
        can_run=True,
        **context,
    )
