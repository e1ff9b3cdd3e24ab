"""The contact center's `Pages`: its templates and the navigation each role sees."""

from __future__ import annotations

from pathlib import Path

from fastapi import Request

from carinho.atendimento.agents.models import Agent, Role
from carinho.atendimento.inbox.failures import explain_failure
from carinho.kit.ui import NavItem, Pages

LOGIN_URL = "/entrar"
HOME_URL = "/conversas"


def navigation(request: Request) -> list[NavItem]:
    agent: Agent | None = getattr(request.state, "ui_user", None)
    items = [NavItem("Conversas", HOME_URL, "conversas", shortcut="g c")]
    if agent is not None and agent.has_role(Role.supervisor):
        items.extend(i for i in SUPERVISOR_NAV if agent.has_role(NAV_ROLES.get(i.key, Role.supervisor)))
    return items


# Supervision pages add themselves here (the supervisor's screens).
SUPERVISOR_NAV: list[NavItem] = [
    NavItem("Dashboard", "/supervisao/dashboard", "dashboard"),
    NavItem("Painel de SLA", "/supervisao/sla", "sla"),
    NavItem("Funil", "/supervisao/funil", "funil"),
    NavItem("Ocorrências", "/supervisao/ocorrencias", "ocorrencias"),
    NavItem("Satisfação", "/supervisao/satisfacao", "satisfacao"),
]
# The screens of SUPERVISOR_NAV a supervisor does not see (their key → the role they need).
NAV_ROLES: dict[str, Role] = {}

pages = Pages(
    app_name="Carinho Atendimento",
    template_dir=Path(__file__).parent / "templates",
    nav=navigation,
    home=HOME_URL,
)
pages.env.filters["falha_envio"] = explain_failure
