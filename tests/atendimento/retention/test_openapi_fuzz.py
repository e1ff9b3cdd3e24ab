"""Schemathesis over the /api/privacy operations of atendimento's OpenAPI, as a supervisor:
generated requests (valid and invalid) never get a 5xx, on every backend."""

from __future__ import annotations

import httpx

from carinho.atendimento.agents.models import Role
from carinho.runtime import Runtime
from tests.atendimento.conftest import MakeAgent
from tests.support.fuzz import send_cases


async def test_privacy_endpoints_never_answer_a_server_error(
    seeded: Runtime, atendimento: httpx.AsyncClient, make_agent: MakeAgent
) -> None:
    supervisor = await make_agent(Role.supervisor)
    document = (await atendimento.get("/openapi.json")).json()
    document["paths"] = {p: v for p, v in document["paths"].items() if p.startswith("/api/privacy")}
    assert len(document["paths"]) == 6
    sent, failures = await send_cases(atendimento, document, supervisor.headers)
    assert sent >= 30
    assert failures == []
