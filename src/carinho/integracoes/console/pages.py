"""The console's `Pages`: its templates and the navigation each operator role sees."""

from __future__ import annotations

from pathlib import Path

from fastapi import Request

from carinho.integracoes.operators.models import Operator, OperatorRole
from carinho.kit.ui import NavItem, Pages

LOGIN_URL = "/entrar"
HOME_URL = "/painel"

# Screens add themselves here: (item, minimum role to see it).
NAV: list[tuple[NavItem, OperatorRole]] = [
    (NavItem("Visão geral", HOME_URL, "painel"), OperatorRole.viewer),
    (NavItem("Eventos", "/eventos", "eventos"), OperatorRole.viewer),
    (NavItem("DLQ", "/dlq", "dlq"), OperatorRole.viewer),
    (NavItem("Sincronizações", "/sincronizacoes", "sincronizacoes"), OperatorRole.viewer),
    (NavItem("Mapeamentos", "/mapeamentos", "mapeamentos"), OperatorRole.viewer),
    (NavItem("Endpoints", "/endpoints", "endpoints"), OperatorRole.viewer),
    (NavItem("Alertas", "/alertas", "alertas"), OperatorRole.viewer),
    (NavItem("Chaves de API", "/chaves", "chaves"), OperatorRole.admin),
]


def navigation(request: Request) -> list[NavItem]:
    operator: Operator | None = getattr(request.state, "ui_user", None)
    if operator is None:
        return []
    return [item for item, minimum in NAV if operator.has_role(minimum)]


pages = Pages(
    app_name="Carinho Integrações",
    template_dir=Path(__file__).parent / "templates",
    nav=navigation,
    home=HOME_URL,
)
