"""Schemathesis over the whole of atendimento's /openapi.json, as an administrator, with a real
conversation in the database: generated requests (valid and invalid) pass every schemathesis check
(no 5xx, only documented statuses and bodies, invalid data refused, ...), on every backend. The
packages' own fuzz tests go deeper into their routes; this one leaves none out."""

from __future__ import annotations

import httpx
import pytest

from carinho.atendimento.agents.models import Role
from carinho.runtime import Runtime
from tests.atendimento.conftest import OPEN_INSTANT, MakeAgent, freeze_at, post_webhook, received
from tests.support.fuzz import send_cases

# Every check on ~900 answers: about two minutes alone, more than pytest's 300 s on a busy machine.
pytestmark = [pytest.mark.slow, pytest.mark.timeout(600)]

# Server-sent events that only end when the client goes away (or after an hour): the in-process
# client waits for a whole body, so a valid request would never return. tests/atendimento/metrics
# (and tests/atendimento/live) read them as a browser does.
ENDLESS = {"/api/metrics/stream", "/ao-vivo"}
# Ending the session (or changing the password, which ends it too) turns every later request into a
# 401: these go last, so that the rest is tested past the authentication.
SESSION_ENDING = ("/api/auth/me/password", "/api/auth/logout")


async def test_no_atendimento_endpoint_answers_a_server_error(
    seeded: Runtime, atendimento: httpx.AsyncClient, make_agent: MakeAgent
) -> None:
    freeze_at(OPEN_INSTANT)
    admin = await make_agent(Role.admin)
    response = await post_webhook(atendimento, received("FZ1"))
    assert response.status_code == 200, response.text
    document = (await atendimento.get("/openapi.json")).json()
    paths = document["paths"]
    document["paths"] = {p: v for p, v in paths.items() if p not in ENDLESS and p not in SESSION_ENDING}
    document["paths"].update({p: paths[p] for p in SESSION_ENDING})
    assert len(document["paths"]) > 60
    sent, failures = await send_cases(atendimento, document, admin.headers)
    assert sent >= 500
    assert failures == []
