"""Configurações: one menu entry, a tab per area (each area's page module renders its own tab)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from carinho.atendimento.agents.auth import SessionSupervisor
from carinho.atendimento.web.pages import SUPERVISOR_NAV, pages
from carinho.kit.ui import NavItem

SETTINGS_URL = "/configuracoes"
# (URL, what a person reads): the tabs, in the order they are used most.
SETTINGS_TABS: list[tuple[str, str]] = [
    (f"{SETTINGS_URL}/modelos", "Modelos e mensagens automáticas"),
    (f"{SETTINGS_URL}/horario", "Horário e feriados"),
    (f"{SETTINGS_URL}/sla", "Políticas de SLA"),
    (f"{SETTINGS_URL}/escalonamento", "Regras de escalonamento"),
    (f"{SETTINGS_URL}/triagem", "Checklists de triagem"),
    (f"{SETTINGS_URL}/etiquetas", "Etiquetas"),
    (f"{SETTINGS_URL}/motivos-de-perda", "Motivos de perda"),
    (f"{SETTINGS_URL}/retencao", "Retenção de dados"),
]
SUPERVISOR_NAV.append(NavItem("Configurações", SETTINGS_URL, "configuracoes"))

router = APIRouter(include_in_schema=False)


def render_tab(
    request: Request, template: str, tab: str, *, status_code: int = 200, **context: Any
) -> Response:
    """A Configurações tab: the menu entry and the row of tabs marked, the tab's own context."""
    return pages.render(
        request,
        template,
        status_code=status_code,
        active="configuracoes",
        settings_tabs=SETTINGS_TABS,
        tab=tab,
        **context,
    )


@router.get(SETTINGS_URL)
async def settings_home(supervisor: SessionSupervisor) -> RedirectResponse:
    return RedirectResponse(SETTINGS_TABS[0][0], status_code=303)
