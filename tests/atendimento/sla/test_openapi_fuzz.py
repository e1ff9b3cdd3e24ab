"""Schemathesis over the /api/sla operations of atendimento's OpenAPI, as a supervisor, with a real
conversation and its SLA in the database: generated requests (valid and invalid) never get a 5xx."""

from __future__ import annotations

import httpx

from carinho.atendimento.agents.models import Role
from carinho.runtime import Runtime
from tests.atendimento.conftest import OPEN_INSTANT, MakeAgent, freeze_at
from tests.atendimento.sla.support import incoming, move_to, run_monitor
from tests.support.fuzz import send_cases


async def test_sla_endpoints_never_answer_a_server_error(
    seeded: Runtime, atendimento: httpx.AsyncClient, make_agent: MakeAgent
) -> None:
    freeze_at(OPEN_INSTANT)
    supervisor = await make_agent(Role.supervisor)
    await incoming(atendimento, "F1")
    move_to(OPEN_INSTANT, 61)
    await run_monitor(seeded)  # a breach, so lists and reports have rows
    document = (await atendimento.get("/openapi.json")).json()
    document["paths"] = {p: v for p, v in document["paths"].items() if p.startswith("/api/sla")}
    assert len(document["paths"]) == 8  # policies, breaches, reports (+ series), the panel, ...
    sent, failures = await send_cases(atendimento, document, supervisor.headers)
    assert sent >= 30
    assert failures == []
