"""`GET /status`: JSON for machines (503 when a dependency is down), the same as a public page for
a browser (Accept: text/html), without a login."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

from carinho.integracoes.console.pages import pages
from carinho.integracoes.deps import SessionDep
from carinho.integracoes.status.service import hub_status

router = APIRouter(tags=["status"])


def wants_html(request: Request) -> bool:
    return "text/html" in request.headers.get("accept", "") and request.query_params.get("formato") != "json"


@router.get(
    "/status",
    summary="Status completo: versão, dependências, filas, agendador, sincronizações, DLQ e alertas",
    response_model=None,
)
async def status(request: Request, session: SessionDep) -> Response:
    body = await hub_status(request.app.state.runtime, session)
    code = 503 if body["status"] == "down" else 200
    if wants_html(request):
        started = {
            sync["name"]: datetime.fromisoformat(sync["last_started_at"]) if sync["last_started_at"] else None
            for sync in body["syncs"]
        }
        return pages.render(
            request,
            "status/status.html",
            status_code=code,
            title="Status",
            status=body,
            started=started,
            checked_at=datetime.fromisoformat(body["checked_at"]),
        )
    return JSONResponse(body, status_code=code)
