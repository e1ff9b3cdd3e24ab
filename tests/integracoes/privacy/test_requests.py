"""The hub's own data-subject requests: export and erase by phone, e-mail or CPF, found in payloads
(encrypted at rest or not) and raw bodies, recorded, idempotent by reference."""

from __future__ import annotations

import json

import httpx
import pytest
from pydantic import SecretStr

from carinho import runtime
from carinho.kit.crypto import new_key
from carinho.runtime import Runtime
from tests.integracoes.processing import submit_event
from tests.support.jobs import drain

ROSA = {"name": "Rosa Souza", "phone": "(11) 91234-5678", "note": "CPF 529.982.247-25, mãe com Alzheimer"}
ANA = {"name": "Ana Lima", "email": "Ana.Lima@example.com", "phone": "5521988887777"}
RAW = (
    b'{"type":"ReceivedCallback","phone":"551112345678","senderName":"Rosa Souza",'
    b'"messageId":"M-RAW-1","text":{"message":"Ol\\u00e1, sou a Rosa"},"fromMe":false,"isGroup":false,'
    b'"momment":1764331200000,"instanceId":"X","status":"RECEIVED"}'
)


async def _request(hub: httpx.AsyncClient, auth: dict[str, str], **body: object) -> httpx.Response:
    return await hub.post("/api/privacy/requests", json={"reason": "Pedido do titular", **body}, headers=auth)


@pytest.mark.parametrize("encrypted", [False, True], ids=["plain", "encrypted"])
async def test_export_then_erase_by_phone_reaches_payloads_and_raw_bodies(
    rt: Runtime, hub: httpx.AsyncClient, auth: dict[str, str], encrypted: bool
) -> None:
    if encrypted:
        runtime.current().settings.payload_encryption_keys = SecretStr(new_key())
    rosa = await submit_event(hub, auth, payload=dict(ROSA))
    ana = await submit_event(hub, auth, payload=dict(ANA))
    zapi = await hub.post(
        "/webhooks/whatsapp",
        params={"token": "test-zapi-secret"},
        content=RAW,
        headers={"Content-Type": "application/json"},
    )
    assert zapi.status_code == 202, zapi.text
    raw_event = zapi.json()["event_id"]
    await drain(rt, ("integracoes",))

    # The ninth digit or not (the raw body has it without), formatted or not: the same person.
    export = await _request(hub, auth, kind="export", phone="11 91234-5678")
    assert export.status_code == 200, export.text
    body = export.json()
    assert body["subject_masked"] == "5511*****78" and body["status"] == "completed"
    assert {e["id"] for e in body["events"]} == {rosa, raw_event}

    erase = await _request(hub, auth, kind="erase", phone="+55 11 91234-5678", reference="atendimento:1")
    assert erase.status_code == 200, erase.text
    assert sorted(erase.json()["result"]["event_ids"]) == sorted([rosa, raw_event])
    for event_id in (rosa, raw_event):
        detail = (await hub.get(f"/api/events/{event_id}", headers=auth)).json()
        text = json.dumps(detail, ensure_ascii=False)
        assert "Rosa" not in text and "1234" not in text and "Alzheimer" not in text
        assert detail["payload"]["motivo"] == "erase"
        assert detail["anonymised_at"] is not None
    async with rt.db("integracoes").session() as session:
        from carinho.integracoes.events.service import event_service

        assert await event_service.raw_body(session, raw_event) is None
    untouched = (await hub.get(f"/api/events/{ana}", headers=auth)).json()
    assert untouched["payload"]["name"] == "Ana Lima"

    again = await _request(hub, auth, kind="erase", phone="11912345678", reference="atendimento:1")
    assert again.json()["id"] == erase.json()["id"] and again.json()["calls"] == 2
    listed = (await hub.get("/api/privacy/requests", headers=auth)).json()
    assert [r["kind"] for r in listed] == ["erase", "export"]
    assert all("91234" not in json.dumps(r) for r in listed)


async def test_erase_by_email_and_by_cpf(rt: Runtime, hub: httpx.AsyncClient, auth: dict[str, str]) -> None:
    rosa = await submit_event(hub, auth, payload=dict(ROSA))
    ana = await submit_event(hub, auth, payload=dict(ANA))
    await drain(rt, ("integracoes",))
    by_email = await _request(hub, auth, kind="erase", email="ana.lima@EXAMPLE.com")
    assert by_email.json()["result"]["event_ids"] == [ana]
    assert by_email.json()["subject_masked"] == "a***@example.com"
    by_cpf = await _request(hub, auth, kind="erase", cpf="52998224725")
    assert by_cpf.json()["result"]["event_ids"] == [rosa]
    assert by_cpf.json()["subject_masked"] == "***.***.***-25"
    nobody = await _request(hub, auth, kind="erase", email="ninguem@example.com")
    assert nobody.json()["status"] == "no_data"


async def test_bad_requests_are_clear_and_the_api_key_is_required(
    rt: Runtime, hub: httpx.AsyncClient, auth: dict[str, str]
) -> None:
    both = await _request(hub, auth, kind="erase", phone="11912345678", email="a@example.com")
    assert both.status_code == 400 and "apenas um" in both.json()["message"]
    bad_cpf = await _request(hub, auth, kind="erase", cpf="123.456.789-00")
    assert bad_cpf.status_code == 400 and "CPF inválido" in bad_cpf.json()["message"]
    bad_phone = await _request(hub, auth, kind="export", phone="12")
    assert bad_phone.status_code == 400
    anonymous = await hub.post(
        "/api/privacy/requests", json={"kind": "erase", "phone": "11912345678", "reason": "x y z"}
    )
    assert anonymous.status_code == 401
