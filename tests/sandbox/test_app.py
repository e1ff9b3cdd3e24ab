"""The sandbox page, the per-system inspection and fault APIs, the SMTP API and the seed data."""

from __future__ import annotations

import httpx

from carinho.connectors.email import EmailSender
from carinho.sandbox.app import create_app
from carinho.sandbox.serving import serve_app
from carinho.sandbox.state import SIMULATED_SYSTEMS
from tests.sandbox.harness import RunningSandbox, WebhookReceiver, sandbox_settings


async def test_page_shows_systems_traffic_and_faults(sandbox: RunningSandbox) -> None:
    async with httpx.AsyncClient(base_url=sandbox.url) as http:
        await http.get("/crm/api/v1/leads/1", headers={"X-API-Key": sandbox.settings.system_api_key("crm")})
        await http.put("/_sandbox/financeiro/faults", json={"down": True})
        page = await http.get("/")
    assert page.status_code == 200
    html = page.text
    assert '<html lang="pt-BR">' in html and "Sandbox da Carinho" in html
    for system in SIMULATED_SYSTEMS:
        assert f"<h3>{system} " in html
    assert "/crm/api/v1/leads/1" in html
    assert "fora do ar" in html
    assert "Enviar mensagem para a Carinho" in html
    assert "leads #7 Luzia Gomes Costa" in html  # the CRM's records changed last


async def test_page_form_makes_the_phone_send(sandbox: RunningSandbox, receiver: WebhookReceiver) -> None:
    async with httpx.AsyncClient(base_url=sandbox.url) as http:
        answer = await http.post(
            "/telefone/enviar",
            data={"phone": "11 98765-4321", "text": "Oi, vocês atendem em Moema?", "sender_name": "Rosa"},
        )
        assert answer.status_code == 303
        page = await http.get(answer.headers["location"])
    assert "Mensagem entregue ao webhook (HTTP 200)" in page.text
    assert receiver.received[0]["text"]["message"] == "Oi, vocês atendem em Moema?"
    assert receiver.received[0]["senderName"] == "Rosa"


async def test_requests_inspection_and_fault_api(sandbox: RunningSandbox) -> None:
    key = {"X-API-Key": sandbox.settings.system_api_key("marketing")}
    async with httpx.AsyncClient(base_url=sandbox.url) as http:
        faults = await http.put("/_sandbox/marketing/faults", json={"fail_next": 1, "fail_status": 502})
        assert faults.json()["fail_next"] == 1
        failed = await http.get("/marketing/api/v1/campaigns", headers=key)
        ok = await http.get("/marketing/api/v1/campaigns", headers=key)
        received = (await http.get("/_sandbox/marketing/requests")).json()
        systems = {s["system"]: s for s in (await http.get("/_sandbox/systems")).json()}
        cleared = await http.delete("/_sandbox/marketing/faults")
        forgotten = await http.delete("/_sandbox/marketing/requests")
        unknown = await http.get("/_sandbox/nada/faults")
    assert failed.status_code == 502 and failed.json() == {"message": "Falha simulada (502)."}
    assert ok.status_code == 200 and ok.json()["meta"]["total"] == 4
    assert [(r["status"], r["fault"]) for r in received] == [(200, None), (502, "fail")]
    assert received[0]["headers"]["x-api-key"] == key["X-API-Key"]
    assert systems["marketing"]["requests"] == 2 and not systems["marketing"]["faulty"]
    assert cleared.json()["down"] is False and forgotten.status_code == 204
    assert unknown.status_code == 404


async def test_smtp_api_lists_mails_and_attachments(sandbox: RunningSandbox) -> None:
    from carinho.connectors.email import Attachment

    await EmailSender(sandbox.settings).send(
        "jose@exemplo.com.br",
        "contract",
        {"client_name": "José", "contract_number": "CONT-2026-0002"},
        attachments=[Attachment("CONT-2026-0002.pdf", b"%PDF-1.4 teste")],
    )
    async with httpx.AsyncClient(base_url=sandbox.url) as http:
        [summary] = (await http.get("/_sandbox/smtp/messages", params={"to": "jose@"})).json()
        detail = (await http.get(f"/_sandbox/smtp/messages/{summary['id']}")).json()
        html = await http.get(f"/_sandbox/smtp/messages/{summary['id']}/html")
        pdf = await http.get(f"/_sandbox/smtp/messages/{summary['id']}/attachments/0")
        page = await http.get("/")
    assert summary["subject"] == "Seu contrato CONT-2026-0002 — Carinho com Você"
    assert summary["attachments"] == ["CONT-2026-0002.pdf"]
    assert "José" in detail["text"]
    assert "CONT-2026-0002" in html.text
    assert pdf.content == b"%PDF-1.4 teste"
    assert "Seu contrato CONT-2026-0002" in page.text


async def test_seed_is_loaded_once_and_state_survives_a_restart(tmp_path) -> None:
    settings = sandbox_settings(tmp_path, sandbox_smtp_port=-1)
    key = {"X-API-Key": settings.system_api_key("crm")}
    async with serve_app(create_app(settings)) as url, httpx.AsyncClient(base_url=url) as http:
        created = await http.post(
            "/crm/api/v1/leads",
            json={"phone": "5511966665555", "name": "Persistente"},
            headers={**key, "Idempotency-Key": "k1"},
        )
        assert created.status_code == 201
    async with serve_app(create_app(settings)) as url, httpx.AsyncClient(base_url=url) as http:
        leads = (await http.get("/crm/api/v1/leads", headers=key)).json()
    assert leads["meta"]["total"] == 8
    assert any(lead["name"] == "Persistente" for lead in leads["data"])


async def test_writes_without_idempotency_key_are_refused(sandbox: RunningSandbox) -> None:
    async with httpx.AsyncClient(base_url=sandbox.url) as http:
        answer = await http.post(
            "/crm/api/v1/leads",
            json={"phone": "5511966665555"},
            headers={"X-API-Key": sandbox.settings.system_api_key("crm")},
        )
    assert answer.status_code == 400
    assert "Idempotency-Key" in answer.json()["message"]
