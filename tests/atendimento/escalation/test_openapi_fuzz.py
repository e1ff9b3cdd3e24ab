"""Schemathesis over the escalation operations of atendimento's OpenAPI, as a supervisor, with a real
conversation to act on: generated requests (valid and invalid) never get a 5xx, on every backend."""

from __future__ import annotations

import httpx
from schemathesis.core.parameters import ParameterLocation
from schemathesis.generation.case import Case

from carinho.atendimento.agents.models import Role
from carinho.runtime import Runtime
from tests.atendimento.conftest import OPEN_INSTANT, MakeAgent, freeze_at
from tests.atendimento.escalation.helpers import message
from tests.support.fuzz import send_cases


def ours(path: str) -> bool:
    return path.startswith("/api/escalation") or path.split("/")[-1] in (
        "escalate",
        "deescalate",
        "escalations",
    )


async def test_escalation_endpoints_never_answer_a_server_error(
    seeded: Runtime, atendimento: httpx.AsyncClient, make_agent: MakeAgent
) -> None:
    freeze_at(OPEN_INSTANT)
    supervisor = await make_agent(Role.supervisor)
    conversation_id = await message(atendimento, phone="5511911122001")
    document = (await atendimento.get("/openapi.json")).json()
    document["paths"] = {p: v for p, v in document["paths"].items() if ours(p)}
    assert len(document["paths"]) == 7

    def on_the_real_conversation_half_the_time(case: Case, sent: int) -> None:
        # A case made invalid in its path keeps its invalid id: a real one would make it valid again.
        if case.meta is not None and case.meta.is_negative_at(ParameterLocation.PATH):
            return
        if case.path_parameters and "conversation_id" in case.path_parameters and sent % 2 == 0:
            case.path_parameters["conversation_id"] = conversation_id

    sent, failures = await send_cases(
        atendimento, document, supervisor.headers, prepare=on_the_real_conversation_half_the_time
    )
    assert sent >= 30
    assert failures == []
