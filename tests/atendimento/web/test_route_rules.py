"""The route table walked: every page and page action outside the attendant's own (the inbox, a
conversation, her account) refuses an attendant with the 403 page, and the administrator's refuse a
supervisor too. A new supervisor page without a role rule fails here, with no test of its own."""

from __future__ import annotations

import re
from collections.abc import Iterator

from fastapi import APIRouter
from fastapi.routing import APIRoute

from carinho.atendimento.agents.models import Role
from carinho.atendimento.web.routes import PAGE_ROUTERS
from tests.atendimento.web.conftest import MakePerson, Person

# What an attendant may open (her workspace and her account); everything else is a supervisor's.
ATTENDANT_PATHS = re.compile(r"^/$|^/entrar$|^/sair$|^/conta/|^/conversas(/|$)")
# The administrator's own (a supervisor gets 403 too): managing the team, and Privacidade (LGPD) like
# /api/privacy/requests.
ADMIN_PATHS = re.compile(r"^/equipe/|^/privacidade(/|$)")
PARAM = re.compile(r"\{[^}]+\}")


def walk(router: APIRouter, prefix: str = "") -> Iterator[tuple[str, str]]:
    """(method, path) of every route under `router`, included routers too (FastAPI 0.16x keeps an
    included router as one `_IncludedRouter` entry holding the original)."""
    for route in router.routes:
        original = getattr(route, "original_router", None)
        if original is not None:
            yield from walk(original, prefix + route.include_context.prefix)  # type: ignore[attr-defined]
        elif isinstance(route, APIRoute):
            for method in sorted(route.methods - {"HEAD"}):
                yield method, prefix + route.path


ROUTES = sorted({route for router in PAGE_ROUTERS for route in walk(router)})
SUPERVISOR_ROUTES = [(m, p) for m, p in ROUTES if not ATTENDANT_PATHS.search(p)]
ADMIN_ROUTES = [(m, p) for m, p in SUPERVISOR_ROUTES if ADMIN_PATHS.search(p)]


async def _call(person: Person, method: str, path: str) -> tuple[int, str]:
    url = PARAM.sub("1", path)
    if method == "GET":
        response = await person.page(url)
    else:
        response = await person.htmx(method, url, data={"csrf_token": person.csrf})
    return response.status_code, response.text


def test_the_walk_finds_the_supervisor_pages() -> None:
    """The walk is not vacuous: it sees the workspace's routes and the supervisor's screens."""
    paths = {p for _, p in ROUTES}
    assert "/conversas/{conversation_id}/assumir" in paths
    assert {
        "/equipe",
        "/configuracoes/modelos",
        "/configuracoes/horario",
        "/configuracoes/etiquetas",
        "/configuracoes/motivos-de-perda",
        "/configuracoes/retencao",
        "/auditoria",
        "/privacidade",
    } <= paths
    assert ("POST", "/equipe/{agent_id}/senha") in ADMIN_ROUTES
    assert {
        "/configuracoes/sla/politicas",
        "/configuracoes/escalonamento/{rule_id}/excluir",
        "/configuracoes/triagem/{key}/nova-versao",
    } <= {p for _, p in SUPERVISOR_ROUTES}
    assert {("GET", "/privacidade"), ("POST", "/privacidade/solicitacoes")} <= set(ADMIN_ROUTES)
    assert ("POST", "/configuracoes/etiquetas/{label_id}/excluir") in SUPERVISOR_ROUTES
    assert ("POST", "/configuracoes/retencao/executar") in SUPERVISOR_ROUTES


async def test_an_attendant_is_refused_every_supervisor_page_and_action(make_person: MakePerson) -> None:
    attendant = await make_person(Role.agent)
    let_through = []
    for method, path in SUPERVISOR_ROUTES:
        status, text = await _call(attendant, method, path)
        if status != 403 or (method == "GET" and "Acesso negado" not in text):
            let_through.append((method, path, status))
    assert let_through == []


async def test_a_supervisor_is_refused_every_administrator_page_and_action(make_person: MakePerson) -> None:
    supervisor = await make_person(Role.supervisor)
    let_through = []
    for method, path in ADMIN_ROUTES:
        status, _ = await _call(supervisor, method, path)
        if status != 403:
            let_through.append((method, path, status))
    assert let_through == []


async def test_an_administrator_opens_every_supervisor_page(make_person: MakePerson) -> None:
    admin = await make_person(Role.admin)
    for method, path in SUPERVISOR_ROUTES:
        if method == "GET" and not PARAM.search(path):
            response = await admin.page(path)
            assert response.status_code in (200, 303), (path, response.status_code, response.text[:300])
