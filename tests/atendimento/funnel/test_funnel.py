"""The funnel: allowed transitions, each recorded with who and when, the loss-reason rule, the
supervisors' catalogue, and proposals e-mailed and recorded."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import httpx
import pytest

from carinho import runtime
from carinho.atendimento.agents.models import Role
from carinho.runtime import Runtime
from carinho.sandbox.smtp import SmtpSink
from tests.atendimento.conftest import OPEN_INSTANT, MakeAgent, freeze_at, post_webhook, received
from tests.sandbox.harness import revalidated
from tests.support.jobs import drain


async def conversation(client: httpx.AsyncClient) -> int:
    response = await post_webhook(client, received("FN1", phone="5511977771111"))
    return int(response.json()["conversation_id"])


async def test_stages_move_only_along_allowed_transitions_and_are_recorded(
    seeded: Runtime, atendimento: httpx.AsyncClient, make_agent: MakeAgent
) -> None:
    freeze_at(OPEN_INSTANT)
    agent = await make_agent(name="Rita")
    conversation_id = await conversation(atendimento)
    stages = {s["stage"]: s for s in (await agent.get("/api/funnel/stages")).json()}
    assert stages["proposal_sent"]["label"] == "Proposta enviada"
    assert stages["won"]["allowed_next"] == []

    skip = await agent.post(f"/api/conversations/{conversation_id}/funnel", json={"stage": "won"})
    assert skip.status_code == 409
    assert "Novo → Ganho" in skip.json()["message"]
    for stage in ("in_service", "qualified", "proposal_sent", "won"):
        moved = await agent.post(f"/api/conversations/{conversation_id}/funnel", json={"stage": stage})
        assert moved.status_code == 200, moved.text
        assert moved.json()["funnel_stage"] == stage
    after_won = await agent.post(
        f"/api/conversations/{conversation_id}/funnel", json={"stage": "lost", "loss_reason_id": 1}
    )
    assert after_won.status_code == 409
    transitions = (await agent.get(f"/api/conversations/{conversation_id}/funnel")).json()
    assert [(t["from_stage"], t["to_stage"]) for t in transitions] == [
        ("new", "in_service"),
        ("in_service", "qualified"),
        ("qualified", "proposal_sent"),
        ("proposal_sent", "won"),
    ]
    assert {t["agent_id"] for t in transitions} == {agent.agent_id}
    assert all(t["created_at"] for t in transitions)


async def test_the_first_reply_moves_a_new_lead_into_service(
    seeded: Runtime, atendimento: httpx.AsyncClient, make_agent: MakeAgent
) -> None:
    freeze_at(OPEN_INSTANT)
    agent = await make_agent()
    conversation_id = await conversation(atendimento)
    await agent.post(f"/api/conversations/{conversation_id}/messages", json={"text": "Olá!"})
    detail = (await agent.get(f"/api/conversations/{conversation_id}")).json()
    assert detail["funnel_stage"] == "in_service"
    assert detail["first_response_at"] is not None
    assert detail["waiting_since"] is None
    [transition] = (await agent.get(f"/api/conversations/{conversation_id}/funnel")).json()
    assert transition["actor_type"] == "system"


async def test_lost_needs_a_reason_from_the_catalogue(
    seeded: Runtime, atendimento: httpx.AsyncClient, make_agent: MakeAgent
) -> None:
    freeze_at(OPEN_INSTANT)
    supervisor = await make_agent(Role.supervisor)
    agent = await make_agent()
    conversation_id = await conversation(atendimento)
    reasons = {r["code"]: r for r in (await agent.get("/api/loss-reasons")).json()}
    assert reasons["preco"]["label"] == "Preço"
    assert reasons["fora_area"]["label"] == "Fora da área de atendimento"
    url = f"/api/conversations/{conversation_id}/funnel"
    missing = await agent.post(url, json={"stage": "lost"})
    assert missing.status_code == 400
    assert "motivo da perda" in missing.json()["message"]
    assert (await agent.post(url, json={"stage": "lost", "loss_reason_id": 99999})).status_code == 400
    retired = await supervisor.patch(f"/api/loss-reasons/{reasons['desistiu']['id']}", json={"active": False})
    assert retired.json()["active"] is False
    assert (
        await agent.post(url, json={"stage": "lost", "loss_reason_id": reasons["desistiu"]["id"]})
    ).status_code == 400
    assert (
        await agent.post(url, json={"stage": "in_service", "loss_reason_id": reasons["preco"]["id"]})
    ).status_code == 400
    lost = await agent.post(
        url,
        json={"stage": "lost", "loss_reason_id": reasons["preco"]["id"], "note": "Achou caro o plano 24h"},
    )
    assert lost.status_code == 200, lost.text
    assert lost.json()["loss_reason_id"] == reasons["preco"]["id"]
    assert lost.json()["loss_note"] == "Achou caro o plano 24h"
    back = await agent.post(url, json={"stage": "in_service"})
    assert back.json()["loss_reason_id"] is None

    created = await supervisor.post(
        "/api/loss-reasons", json={"code": "saude_piorou", "label": "Saúde piorou"}
    )
    assert created.status_code == 201
    assert (
        await supervisor.post("/api/loss-reasons", json={"code": "saude_piorou", "label": "X"})
    ).status_code == 409
    assert "saude_piorou" in {r["code"] for r in (await agent.get("/api/loss-reasons")).json()}
    # A position beyond the column was a database error (500); found by the app-wide OpenAPI fuzz.
    huge = {"code": "enorme", "label": "Enorme", "position": 2**70}
    assert (await supervisor.post("/api/loss-reasons", json=huge)).status_code == 422
    reason_url = f"/api/loss-reasons/{created.json()['id']}"
    assert (await supervisor.patch(reason_url, json={"position": -(2**70)})).status_code == 422


@pytest.fixture
async def smtp_sink(seeded: Runtime) -> AsyncIterator[SmtpSink]:
    sink = SmtpSink(host="127.0.0.1", port=0)
    await sink.start()
    # Z-API off: the welcome message queued by the webhook must not try the real service.
    runtime.configure(
        revalidated(seeded.settings, mail_host="127.0.0.1", mail_port=sink.port, zapi_enabled=False)
    )
    yield sink
    await sink.stop()


async def test_a_proposal_is_emailed_recorded_and_moves_a_qualified_lead(
    seeded: Runtime, atendimento: httpx.AsyncClient, make_agent: MakeAgent, smtp_sink: SmtpSink
) -> None:
    freeze_at(OPEN_INSTANT)
    agent = await make_agent()
    conversation_id = await conversation(atendimento)
    no_email = await agent.post(
        f"/api/conversations/{conversation_id}/documents",
        json={"kind": "proposal", "subject": "Proposta", "body": "Segue a proposta."},
    )
    assert no_email.status_code == 400
    await agent.post(f"/api/conversations/{conversation_id}/funnel", json={"stage": "qualified"})
    sent = await agent.post(
        f"/api/conversations/{conversation_id}/documents",
        json={
            "kind": "proposal",
            "email": "familia.souza@example.com",
            "subject": "Proposta de cuidador domiciliar",
            "body": "Olá! Segue a proposta conforme conversamos.",
            "document_url": "https://documentos.carinho.com.vc/propostas/123.pdf",
        },
    )
    assert sent.status_code == 202, sent.text
    assert sent.json()["status"] == "queued"
    detail = (await agent.get(f"/api/conversations/{conversation_id}")).json()
    assert detail["funnel_stage"] == "proposal_sent"
    assert detail["contact"]["email"] == "familia.souza@example.com"
    await drain(runtime.current(), ("atendimento",))
    [document] = (await agent.get(f"/api/conversations/{conversation_id}/documents")).json()
    assert document["status"] == "sent"
    assert document["provider_message_id"]
    async with asyncio.timeout(10):
        while not smtp_sink.messages:
            await asyncio.sleep(0.02)
    mail = smtp_sink.messages[-1]
    assert mail.to == ["familia.souza@example.com"]
    assert mail.subject == "Proposta de cuidador domiciliar"
    assert "https://documentos.carinho.com.vc/propostas/123.pdf" in (mail.text or "")
    # The attendant's text goes in the branded layout, with a button to the document.
    html = mail.html or ""
    assert "Abrir a proposta" in html and 'href="https://documentos.carinho.com.vc/propostas/123.pdf"' in html
    assert "Carinho com Você" in html
    history = (await agent.get(f"/api/conversations/{conversation_id}/history")).json()
    assert [e["action"] for e in history if e["action"].startswith("document.")] == [
        "document.queued",
        "document.sent",
    ]
