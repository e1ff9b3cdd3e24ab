"""Schemathesis over the whole of atendimento's /openapi.json, as an administrator, with a real
conversation in the database: generated requests (valid and invalid) never get a 5xx, on every
backend. The packages' own fuzz tests go deeper into their routes; this one leaves none out."""

from __future__ import annotations

import httpx

from carinho.atendimento.agents.models import Role
from carinho.runtime import Runtime
from tests.atendimento.conftest import OPEN_INSTANT, MakeAgent, freeze_at, post_webhook, received
from tests.integracoes.events.test_openapi_fuzz import cases_for

# Server-sent events that only end when the client goes away (or after an hour): the in-process
# client waits for a whole body, so a valid request would never return. tests/atendimento/metrics
# reads it as a browser does.
ENDLESS = {"/api/metrics/stream"}
# Ending the session would turn every later request into a 401 and leave the rest untested.
SESSION_ENDING = {"/api/auth/logout"}


async def test_no_atendimento_endpoint_answers_a_server_error(
    seeded: Runtime, atendimento: httpx.AsyncClient, make_agent: MakeAgent
) -> None:
    freeze_at(OPEN_INSTANT)
    admin = await make_agent(Role.admin)
    response = await post_webhook(atendimento, received("FZ1"))
    assert response.status_code == 200, response.text
    document = (await atendimento.get("/openapi.json")).json()
    document["paths"] = {p: v for p, v in document["paths"].items() if p not in ENDLESS | SESSION_ENDING}
    assert len(document["paths"]) > 60
    failures: list[str] = []
    sent = 0
    for case in cases_for(document):
        kwargs = case.as_transport_kwargs(base_url="http://atendimento.test", headers=admin.headers)
        request = {
            "method": kwargs["method"],
            "url": kwargs["url"],
            "headers": {k: str(v) for k, v in (kwargs.get("headers") or {}).items()},
            "params": kwargs.get("params"),
        }
        if "json" in kwargs:
            request["json"] = kwargs["json"]
        elif kwargs.get("data") is not None:
            data = kwargs["data"]
            request["content"] = data if isinstance(data, bytes | str) else str(data)
        try:
            response = await atendimento.request(**request)
        except (httpx.InvalidURL, UnicodeEncodeError):
            continue  # not representable as an HTTP request at all
        except Exception as exc:  # the app raised: it answered 500
            failures.append(f"{type(exc).__name__}: {exc} <- {case.as_curl_command()}")
            continue
        sent += 1
        if response.status_code >= 500:
            failures.append(f"{response.status_code} {case.as_curl_command()}")
    assert sent >= 500
    assert failures == []
