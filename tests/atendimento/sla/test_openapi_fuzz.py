"""Schemathesis over the /api/sla operations of atendimento's OpenAPI, as a supervisor, with a real
conversation and its SLA in the database: generated requests (valid and invalid) never get a 5xx."""

from __future__ import annotations

import httpx

from carinho.atendimento.agents.models import Role
from carinho.runtime import Runtime
from tests.atendimento.conftest import OPEN_INSTANT, MakeAgent, freeze_at
from tests.atendimento.sla.support import incoming, move_to, run_monitor
from tests.integracoes.events.test_openapi_fuzz import cases_for


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
    assert len(document["paths"]) == 6
    failures: list[str] = []
    sent = 0
    for case in cases_for(document):
        kwargs = case.as_transport_kwargs(base_url="http://atendimento.test", headers=supervisor.headers)
        request = {
            "method": kwargs["method"],
            "url": kwargs["url"],
            "headers": {k: str(v) for k, v in (kwargs.get("headers") or {}).items()},
            "params": kwargs.get("params"),
        }
        if "json" in kwargs:
            request["json"] = kwargs["json"]
        try:
            response = await atendimento.request(**request)
        except (httpx.InvalidURL, UnicodeEncodeError):
            continue
        except Exception as exc:  # the app raised: it answered 500
            failures.append(f"{type(exc).__name__}: {exc} <- {case.as_curl_command()}")
            continue
        sent += 1
        if response.status_code >= 500:
            failures.append(f"{response.status_code} {case.as_curl_command()}")
    assert sent >= 30
    assert failures == []
