"""Every atendimento route with an id in its path (API and pages), given an id beyond int64: a 422
for the API, the 404 page for pages, never a 5xx — and every such id is bounded by kit/ids.py."""

from __future__ import annotations

import httpx

from carinho.atendimento.agents.models import Role
from carinho.runtime import Runtime
from tests.atendimento.conftest import MakeAgent
from tests.atendimento.web.conftest import MakePerson
from tests.conftest import Apps
from tests.support.route_ids import id_routes, server_errors, unbounded


async def test_ids_beyond_int64_are_refused_at_the_edge(
    seeded: Runtime, apps: Apps, make_agent: MakeAgent, make_person: MakePerson
) -> None:
    routes = id_routes(apps("atendimento"))
    assert len(routes) > 60
    assert unbounded(routes) == []
    api = await make_agent(Role.admin)
    person = await make_person(Role.admin)

    async def send(method: str, url: str, is_api: bool) -> httpx.Response:
        if is_api:
            return await api.client.request(
                method, url, headers=api.headers, json={} if method != "GET" else None
            )
        headers = {"accept": "text/html", "x-csrf-token": person.csrf}
        data = {"csrf_token": person.csrf} if method != "GET" else None
        return await person.client.request(method, url, headers=headers, data=data)

    assert await server_errors(routes, send) == []
