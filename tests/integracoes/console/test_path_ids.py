"""Every hub route with an id in its path (API and console pages), given an id beyond int64: a 422
for the API, the 404 page for pages, never a 5xx — and every such id is bounded by kit/ids.py."""

from __future__ import annotations

import httpx

from carinho.integracoes.apikeys.service import api_key_service
from carinho.integracoes.operators.models import OperatorRole
from carinho.runtime import Runtime
from tests.conftest import Apps
from tests.integracoes.console.conftest import MakeOperator
from tests.support.route_ids import id_routes, server_errors, unbounded


async def test_ids_beyond_int64_are_refused_at_the_edge(
    rt: Runtime, apps: Apps, hub: httpx.AsyncClient, make_operator: MakeOperator
) -> None:
    routes = id_routes(apps("integracoes"))
    assert len(routes) > 20
    assert unbounded(routes) == []
    async with rt.db("integracoes").session() as session:
        _, key = await api_key_service.create(session, "ids")
        await session.commit()
    admin = await make_operator(OperatorRole.admin)

    async def send(method: str, url: str, is_api: bool) -> httpx.Response:
        if is_api:
            body: dict[str, object] | None = {} if method != "GET" else None
            return await hub.request(method, url, headers={"X-API-Key": key}, json=body)
        headers = {"accept": "text/html", "x-csrf-token": admin.csrf}
        data = {"csrf_token": admin.csrf} if method != "GET" else None
        return await admin.client.request(method, url, headers=headers, data=data)

    assert await server_errors(routes, send) == []
