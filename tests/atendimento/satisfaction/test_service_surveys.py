"""The hub asks for a survey after a service (X-API-Key), and the personal data a survey holds."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from pydantic import SecretStr
from sqlalchemy import select

from carinho import runtime
from carinho.atendimento.agents.models import Role
from carinho.atendimento.inbox.models import Contact, Conversation
from carinho.atendimento.retention.registry import sources
from carinho.atendimento.satisfaction.privacy import satisfaction_data
from carinho.runtime import Runtime
from tests.atendimento.conftest import OPEN_INSTANT, MakeAgent, freeze_at
from tests.atendimento.satisfaction.flow import (
    SENT_INSTANT,
    answered_and_resolved,
    automatic,
    followups,
    incoming,
    quiet_automations,
    run_jobs_at,
    surveys,
)
from tests.conftest import asgi_client

HUB_KEY = "hub-test-key"
NEW_PHONE = "5511955557777"


@pytest.fixture
async def keyed(seeded: Runtime) -> AsyncIterator[httpx.AsyncClient]:
    """atendimento with CARINHO_ATENDIMENTO_API_KEY set (the key the hub's client sends)."""
    from carinho.atendimento.app import create_app

    configured = runtime.configure(
        seeded.settings.with_overrides(carinho_atendimento_api_key=SecretStr(HUB_KEY))
    )
    async with asgi_client(create_app(configured), "http://atendimento.test") as client:
        yield client
    for db in configured.databases.values():
        await db.dispose()


async def test_the_hub_requests_a_survey_after_a_service(
    seeded: Runtime, keyed: httpx.AsyncClient, make_agent: MakeAgent
) -> None:
    freeze_at(OPEN_INSTANT)
    body = {"phone": "+55 (11) 95555-7777", "service_id": "SRV-2026-0001", "client_name": "Joana Lima"}
    assert (await keyed.post("/api/satisfaction/surveys", json=body)).status_code == 401
    wrong = await keyed.post("/api/satisfaction/surveys", json=body, headers={"X-API-Key": "nope"})
    assert wrong.status_code == 401
    headers = {"X-API-Key": HUB_KEY}
    created = await keyed.post("/api/satisfaction/surveys", json=body, headers=headers)
    assert created.status_code == 201, created.text
    assert (created.json()["source"], created.json()["status"]) == ("service", "scheduled")
    repeated = await keyed.post("/api/satisfaction/surveys", json=body, headers=headers)
    assert repeated.status_code == 200 and repeated.json()["id"] == created.json()["id"]
    bad_phone = await keyed.post(
        "/api/satisfaction/surveys", json={"phone": "123", "service_id": "SRV-X"}, headers=headers
    )
    assert bad_phone.status_code == 400

    async with seeded.db("atendimento").session() as session:
        contact = (await session.execute(select(Contact).where(Contact.phone == NEW_PHONE))).scalar_one()
        conversation = (
            await session.execute(select(Conversation).where(Conversation.contact_id == contact.id))
        ).scalar_one()
    assert (contact.name, conversation.status) == ("Joana Lima", "closed")

    await run_jobs_at(seeded, SENT_INSTANT)
    supervisor = await make_agent(Role.supervisor)
    [message] = await automatic(supervisor, conversation.id, "nps_survey")
    assert message["content"].startswith("Olá, Joana! Queremos saber como foi o serviço")
    reply = await incoming(keyed, "H1", "nota 4, a cuidadora chegou atrasada", phone=NEW_PHONE)
    assert (reply["conversation_id"], reply["new_conversation"]) == (conversation.id, False)
    [survey] = await surveys(seeded)
    assert (survey.service_id, survey.score, survey.agent_id, survey.level) == (
        "SRV-2026-0001",
        4,
        None,
        None,
    )
    assert [f.survey_id for f in await followups(seeded)] == [survey.id]


async def test_comments_and_notes_are_exported_and_erased(
    seeded: Runtime, atendimento: httpx.AsyncClient, make_agent: MakeAgent
) -> None:
    assert satisfaction_data in sources()
    freeze_at(OPEN_INSTANT)
    supervisor = await make_agent(Role.supervisor)
    await quiet_automations(supervisor)
    await answered_and_resolved(atendimento, supervisor, "G1")
    await run_jobs_at(seeded, SENT_INSTANT)
    await incoming(atendimento, "G2", "2 - ninguém me retornou")
    [task] = (await supervisor.get("/api/satisfaction/followups")).json()
    await supervisor.post(
        f"/api/satisfaction/followups/{task['id']}/done", json={"note": "Cliente pediu reembolso"}
    )
    [survey] = await surveys(seeded)

    async with seeded.db("atendimento").session() as session:
        [exported] = await satisfaction_data.export(session, [survey.contact_id])
        assert (exported["score"], exported["comment"]) == (2, "ninguém me retornou")
        assert exported["followups"][0]["note"] == "Cliente pediu reembolso"
        assert await satisfaction_data.erase(session, [survey.contact_id]) == 2
        await session.commit()
    [survey] = await surveys(seeded)
    assert (survey.score, survey.comment) == (2, None)  # the score stays for the aggregates
    assert [f.note for f in await followups(seeded)] == [None]
