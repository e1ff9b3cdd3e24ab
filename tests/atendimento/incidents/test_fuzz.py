"""Schemathesis over the incident routes of atendimento's OpenAPI: generated requests, valid and
invalid, from a supervisor (so they get past authentication) never get a 5xx."""

from __future__ import annotations

from typing import Any

import httpx

from carinho.atendimento.agents.models import Role
from carinho.runtime import Runtime
from tests.atendimento.conftest import MakeAgent
from tests.atendimento.incidents.conftest import conversation_of
from tests.support.fuzz import send_cases


def incident_routes(document: dict[str, Any]) -> dict[str, Any]:
    mine = ("/api/incidents", "/incidents", "/emergency", "/emergency-banner")
    paths = {p: ops for p, ops in document["paths"].items() if p.startswith(mine[0]) or p.endswith(mine[1:])}
    return {**document, "paths": paths}


async def test_no_server_errors_on_incident_routes(
    seeded: Runtime, atendimento: httpx.AsyncClient, make_agent: MakeAgent
) -> None:
    supervisor = await make_agent(Role.supervisor)
    conversation_id = await conversation_of(
        atendimento, supervisor, supervisor, phone="5511977770000", message_id="FZ"
    )
    await supervisor.post(
        "/api/incidents", json={"category_code": "outro", "title": "Fuzz", "conversation_id": conversation_id}
    )
    document = incident_routes((await atendimento.get("/openapi.json")).json())
    assert len(document["paths"]) == 11
    sent, failures = await send_cases(atendimento, document, supervisor.headers)
    assert sent >= 40
    assert failures == []
