"""Every action of the console checks its role: a viewer (who may read everything) is refused, 403,
on every non-GET route of every console screen — walked from the route table, so a new screen's
routes are covered the day they are added."""

from __future__ import annotations

import re
from urllib.parse import unquote

from fastapi.routing import APIRoute

from carinho.integracoes.console import account
from carinho.integracoes.console.routes import PAGE_ROUTERS
from tests.integracoes.console.conftest import MakeOperator

# The account pages (login, logout, password) are for every signed-in operator.
OPEN_TO_EVERYONE = {route.path for route in account.router.routes if isinstance(route, APIRoute)}


def action_routes() -> list[tuple[str, str]]:
    found = []
    for router in PAGE_ROUTERS:
        for route in router.routes:
            if not isinstance(route, APIRoute) or route.path in OPEN_TO_EVERYONE:
                continue
            for method in sorted(route.methods - {"GET", "HEAD"}):
                found.append((method, re.sub(r"\{[^}]+\}", "1", route.path)))
    return found


def test_the_walk_finds_the_actions() -> None:
    paths = {path for _, path in action_routes()}
    assert {"/eventos/1/reenviar", "/dlq/1/excluir", "/dlq/reenviar"} <= paths
    assert {"/sincronizacoes/1/executar", "/mapeamentos/1/1/publicar", "/endpoints/1/segredo"} <= paths
    assert {"/chaves/1/revogar", "/endpoints/1/entregas/1/reenviar"} <= paths
    assert {"/alertas/1/reconhecer", "/alertas/regras/1"} <= paths


async def test_a_viewer_is_refused_every_action(make_operator: MakeOperator) -> None:
    viewer = await make_operator()
    for method, path in action_routes():
        response = await viewer.htmx(method, path, data={"etapa": "x"})
        assert response.status_code == 403, (method, path, response.status_code)
        assert "exige o papel" in unquote(response.headers.get("x-carinho-mensagem", "")), (method, path)
