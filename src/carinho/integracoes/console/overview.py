"""Visão geral: the hub at a glance, live."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from carinho.integracoes.console.auth import ConsoleViewer
from carinho.integracoes.console.pages import HOME_URL, pages

router = APIRouter(include_in_schema=False)


@router.get(HOME_URL)
async def overview(request: Request, operator: ConsoleViewer) -> Response:
    return pages.render(request, "console/overview.html", active="painel", title="Visão geral")
