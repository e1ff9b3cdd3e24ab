"""The six Carinho-system webhooks: signatures, validation, normalisation, idempotency, errors."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from prometheus_client import REGISTRY

from carinho.config import Settings
from carinho.integracoes.events.service import event_service
from carinho.integracoes.flows.registry import PROCESS_EVENT_JOB, lane_for
from carinho.integracoes.webhooks.sources import SYSTEM_WEBHOOKS, SystemWebhook
from carinho.kit import signatures
from carinho.runtime import Runtime
from tests.integracoes.webhooks.support import (
    outbox_args,
    php_json,
    post_signed,
    spatie_headers,
    standard_headers,
    stored_events,
)

HOOKS = {hook.path: hook for hook in SYSTEM_WEBHOOKS}
HOOK_IDS = [hook.event_type for hook in SYSTEM_WEBHOOKS]


def example(hook: SystemWebhook) -> dict[str, Any]:
    examples = hook.model.model_config.get("json_schema_extra", {})["examples"]  # type: ignore[index]
    return dict(examples[0])


def rejections(source: str, reason: str) -> float:
    value = REGISTRY.get_sample_value(
        "carinho_webhook_rejections_total", {"source": source, "reason": reason}
    )
    return value or 0.0


@pytest.mark.parametrize("hook", SYSTEM_WEBHOOKS, ids=HOOK_IDS)
async def test_valid_spatie_signature_stores_event_and_job(
    hub: httpx.AsyncClient, rt: Runtime, settings: Settings, hook: SystemWebhook
) -> None:
    response = await post_signed(hub, hook.path, settings.webhook_secret(hook.source), example(hook))

    assert response.status_code == 202, response.text
    body = response.json()
    assert body["duplicate"] is False
    assert body["status"] == "received"
    [event] = await stored_events(rt)
    assert (event.id, event.source, event.event_type) == (body["event_id"], hook.source, hook.event_type)
    assert event.lane == lane_for(hook.event_type).value
    own_id = str(example(hook)[hook.model.id_field])
    assert event.idempotency_key == f"{hook.event_type}:{own_id}"
    # Committed together with the event: the processing job's outbox row.
    assert await outbox_args(rt) == [(PROCESS_EVENT_JOB, event.lane, {"event_id": event.id})]


@pytest.mark.parametrize("hook", SYSTEM_WEBHOOKS, ids=HOOK_IDS)
async def test_standard_webhooks_headers_are_accepted(
    hub: httpx.AsyncClient, rt: Runtime, settings: Settings, hook: SystemWebhook
) -> None:
    body = json.dumps(example(hook)).encode()
    headers = standard_headers(settings.webhook_secret(hook.source), body, "msg_2Kx9")
    assert signatures.verify_with_library(settings.webhook_secret(hook.source), body, headers)

    response = await hub.post(hook.path, content=body, headers=headers)

    assert response.status_code == 202, response.text
    [event] = await stored_events(rt)
    assert event.idempotency_key == "msg_2Kx9"


@pytest.mark.parametrize("hook", SYSTEM_WEBHOOKS, ids=HOOK_IDS)
async def test_invalid_signature_is_401_and_nothing_is_stored(
    hub: httpx.AsyncClient, rt: Runtime, settings: Settings, hook: SystemWebhook
) -> None:
    body = php_json(example(hook))
    before = rejections(hook.source, "invalid_signature")
    wrong = spatie_headers("not-the-secret", body)

    response = await hub.post(hook.path, content=body, headers=wrong)

    assert response.status_code == 401
    assert response.json()["error"] == "unauthorized"
    assert "request_id" in response.json()
    assert await stored_events(rt) == []
    assert await outbox_args(rt) == []
    assert rejections(hook.source, "invalid_signature") == before + 1


@pytest.mark.parametrize("hook", SYSTEM_WEBHOOKS, ids=HOOK_IDS)
async def test_missing_signature_is_401(hub: httpx.AsyncClient, rt: Runtime, hook: SystemWebhook) -> None:
    before = rejections(hook.source, "missing_signature")
    response = await hub.post(hook.path, json=example(hook))
    assert response.status_code == 401
    assert await stored_events(rt) == []
    assert rejections(hook.source, "missing_signature") == before + 1


async def test_secret_of_another_system_is_refused(
    hub: httpx.AsyncClient, rt: Runtime, settings: Settings
) -> None:
    hook = HOOKS["/webhooks/site/lead"]
    response = await post_signed(hub, hook.path, settings.webhook_secret("crm"), example(hook))
    assert response.status_code == 401
    assert await stored_events(rt) == []


async def test_stale_standard_webhooks_timestamp_is_refused(
    hub: httpx.AsyncClient, rt: Runtime, settings: Settings
) -> None:
    hook = HOOKS["/webhooks/site/lead"]
    body = json.dumps(example(hook)).encode()
    secret = settings.webhook_secret("site")
    stale = datetime(2020, 1, 1, tzinfo=UTC)
    headers = {"Content-Type": "application/json", **signatures.sign_outbound(secret, "msg_old", body, stale)}
    headers.pop("Signature")
    response = await hub.post(hook.path, content=body, headers=headers)
    assert response.status_code == 401


async def test_php_escaped_unicode_body_verifies_on_raw_bytes(
    hub: httpx.AsyncClient, rt: Runtime, settings: Settings
) -> None:
    body = (
        b'{"lead_id":"L-77","name":"  Jo\\u00e3o   da Concei\\u00e7\\u00e3o ","phone":"(11) 91234-5678",'
        b'"message":"Ol\\u00e1! Vi o site https:\\/\\/carinho.com.vc\\/cuidadores","city":"S\\u00e3o Paulo"}'
    )
    secret = settings.webhook_secret("site")
    response = await hub.post("/webhooks/site/lead", content=body, headers=spatie_headers(secret, body))

    assert response.status_code == 202, response.text
    [event] = await stored_events(rt)
    async with rt.db("integracoes").session() as session:
        payload = await event_service.payload(session, event)
    assert payload["name"] == "João da Conceição"
    assert payload["city"] == "São Paulo"
    assert payload["message"] == "Olá! Vi o site https://carinho.com.vc/cuidadores"
    assert payload["phone"] == "5511912345678"


async def test_signature_over_a_reserialisation_does_not_verify(
    hub: httpx.AsyncClient, rt: Runtime, settings: Settings
) -> None:
    data = {"name": "João", "phone": "11912345678", "message": "https://carinho.com.vc"}
    sent = php_json(data)
    reserialised = json.dumps(data, ensure_ascii=False).encode()
    headers = spatie_headers(settings.webhook_secret("site"), reserialised)
    response = await hub.post("/webhooks/site/lead", content=sent, headers=headers)
    assert response.status_code == 401


async def test_normalisation_and_unknown_fields(
    hub: httpx.AsyncClient, rt: Runtime, settings: Settings
) -> None:
    data = {
        "event": "lead.created",
        "data": {
            "id": 991,
            "nome": "  Maria   Souza ",
            "telefone": "+55 (21) 3456-7890",
            "email": "maria@carinho.com.br",
            "criado_em": "2026-11-28 09:30:00",
            "campo_novo": {"qualquer": ["coisa"]},
        },
    }
    response = await post_signed(hub, "/webhooks/site/lead", settings.webhook_secret("site"), data)

    assert response.status_code == 202, response.text
    [event] = await stored_events(rt)
    assert event.idempotency_key == "lead.created:991"
    async with rt.db("integracoes").session() as session:
        payload = await event_service.payload(session, event)
    assert payload["lead_id"] == "991"
    assert payload["name"] == "Maria Souza"
    assert payload["phone"] == "552134567890"
    assert payload["created_at"] == "2026-11-28T12:30:00Z"  # naive = Brazil time (UTC-3)
    assert payload["campo_novo"] == {"qualquer": ["coisa"]}
    assert payload["event"] == "lead.created"


async def test_duplicate_gets_first_id_with_200(
    hub: httpx.AsyncClient, rt: Runtime, settings: Settings
) -> None:
    hook = HOOKS["/webhooks/financeiro/payment"]
    secret = settings.webhook_secret("financeiro")
    first = await post_signed(hub, hook.path, secret, example(hook))
    again = await post_signed(hub, hook.path, secret, example(hook) | {"status": "paid", "extra": 1})

    assert first.status_code == 202
    assert again.status_code == 200
    assert again.json() == {"event_id": first.json()["event_id"], "status": "received", "duplicate": True}
    assert len(await stored_events(rt)) == 1
    assert len(await outbox_args(rt)) == 1


async def test_same_id_on_payment_and_payout_are_different_events(
    hub: httpx.AsyncClient, rt: Runtime, settings: Settings
) -> None:
    secret = settings.webhook_secret("financeiro")
    payment = await post_signed(hub, "/webhooks/financeiro/payment", secret, {"id": 1, "amount": "10.00"})
    payout = await post_signed(
        hub, "/webhooks/financeiro/payout", secret, {"id": 1, "caregiver_id": 7, "amount": "10.00"}
    )
    assert (payment.status_code, payout.status_code) == (202, 202)
    assert payment.json()["event_id"] != payout.json()["event_id"]


async def test_idempotency_key_header_wins_then_body_hash(
    hub: httpx.AsyncClient, rt: Runtime, settings: Settings
) -> None:
    secret = settings.webhook_secret("cuidadores")
    data = {"rating": 4, "comment": "Bom"}  # no feedback id
    keyed = await post_signed(
        hub, "/webhooks/cuidadores/feedback", secret, data, **{"Idempotency-Key": "fb-1"}
    )
    hashed = await post_signed(hub, "/webhooks/cuidadores/feedback", secret, data)
    hashed_again = await post_signed(hub, "/webhooks/cuidadores/feedback", secret, data)

    assert (keyed.status_code, hashed.status_code, hashed_again.status_code) == (202, 202, 200)
    keys = [event.idempotency_key for event in await stored_events(rt)]
    assert keys[0] == "fb-1"
    assert keys[1] == "sha256:" + __import__("hashlib").sha256(php_json(data)).hexdigest()


async def test_fifty_concurrent_identical_webhooks_make_one_event(
    hub: httpx.AsyncClient, rt: Runtime, settings: Settings
) -> None:
    hook = HOOKS["/webhooks/site/lead"]
    body = php_json(example(hook))
    headers = spatie_headers(settings.webhook_secret("site"), body)

    responses = await asyncio.gather(*(hub.post(hook.path, content=body, headers=headers) for _ in range(50)))

    codes = sorted(r.status_code for r in responses)
    assert codes == [200] * 49 + [202]
    assert len({r.json()["event_id"] for r in responses}) == 1
    assert sum(1 for r in responses if r.json()["duplicate"] is False) == 1
    assert len(await stored_events(rt)) == 1
    assert len(await outbox_args(rt)) == 1


async def test_every_2xx_is_already_committed(
    hub: httpx.AsyncClient, rt: Runtime, settings: Settings
) -> None:
    """Invariant 1: as soon as each 202 arrives, its event and outbox row are visible to another
    connection (they were committed before the answer)."""
    secret = settings.webhook_secret("site")

    async def send_and_check(n: int) -> None:
        response = await post_signed(
            hub, "/webhooks/site/lead", secret, {"id": n, "name": "A", "phone": "11912345678"}
        )
        assert response.status_code == 202
        event_id = response.json()["event_id"]
        assert event_id in {event.id for event in await stored_events(rt)}
        assert {"event_id": event_id} in [args for _, _, args in await outbox_args(rt)]

    await asyncio.gather(*(send_and_check(n) for n in range(20)))
    assert len(await stored_events(rt)) == 20


async def test_malformed_json_is_400(hub: httpx.AsyncClient, rt: Runtime, settings: Settings) -> None:
    body = b'{"name": "Ana", "phone": '
    response = await hub.post(
        "/webhooks/site/lead", content=body, headers=spatie_headers(settings.webhook_secret("site"), body)
    )
    assert response.status_code == 400
    assert response.json()["error"] == "bad_request"
    assert await stored_events(rt) == []


@pytest.mark.parametrize(
    ("body", "field", "stored"),
    [
        (b'{"name": "Ana", "phone": "11912345678", "extra": "x\\udc00"}', "extra", "x\ufffd"),
        (b'{"name": "Ana \\ud83d", "phone": "11912345678"}', "name", "Ana \ufffd"),  # half an emoji
        (b'{"name": "Ana", "phone": "11912345678", "\\udc00": "k"}', "\ufffd", "k"),  # in a key
        (b'{"name": "Ana", "phone": "11912345678", "extra": "\xed\xb0\x80"}', "extra", "\ufffd"),  # raw
    ],
)
async def test_a_lone_surrogate_is_stored_as_a_replacement_character(
    hub: httpx.AsyncClient, rt: Runtime, settings: Settings, body: bytes, field: str, stored: str
) -> None:
    """Valid JSON that no database can store as it is (it used to be a 500 for the whole group-commit
    batch): the webhook is accepted, the broken character kept as U+FFFD, as a UTF-8 decoder shows it."""
    response = await hub.post(
        "/webhooks/site/lead", content=body, headers=spatie_headers(settings.webhook_secret("site"), body)
    )
    assert response.status_code == 202, response.text
    [event] = await stored_events(rt)
    async with rt.db("integracoes").session() as session:
        payload = await event_service.payload(session, event)
    assert payload[field] == stored


async def test_paired_surrogate_escapes_are_text(
    hub: httpx.AsyncClient, rt: Runtime, settings: Settings
) -> None:
    """PHP's json_encode writes an emoji as two escapes: one character once parsed."""
    body = php_json({"name": "Ana 😊", "phone": "11912345678", "message": "Oi 👋"})
    assert b"\\ud83d\\ude0a" in body
    response = await hub.post(
        "/webhooks/site/lead", content=body, headers=spatie_headers(settings.webhook_secret("site"), body)
    )
    assert response.status_code == 202
    [event] = await stored_events(rt)
    async with rt.db("integracoes").session() as session:
        payload = await event_service.payload(session, event)
    assert (payload["name"], payload["message"]) == ("Ana 😊", "Oi 👋")


async def test_wrong_content_type_is_415(hub: httpx.AsyncClient, rt: Runtime, settings: Settings) -> None:
    body = b'{"name": "Ana", "phone": "11912345678"}'
    headers = spatie_headers(settings.webhook_secret("site"), body) | {"Content-Type": "text/plain"}
    response = await hub.post("/webhooks/site/lead", content=body, headers=headers)
    assert response.status_code == 415
    assert response.json()["error"] == "unsupported_media_type"


async def test_too_large_is_413(hub: httpx.AsyncClient, rt: Runtime, settings: Settings) -> None:
    data = {"name": "Ana", "phone": "11912345678", "message": "x" * (settings.carinho_max_body_bytes + 10)}
    response = await post_signed(hub, "/webhooks/site/lead", settings.webhook_secret("site"), data)
    assert response.status_code == 413
    assert response.json()["error"] == "payload_too_large"
    assert await stored_events(rt) == []


async def test_schema_errors_are_422_listing_fields(
    hub: httpx.AsyncClient, rt: Runtime, settings: Settings
) -> None:
    lead = await post_signed(hub, "/webhooks/site/lead", settings.webhook_secret("site"), {"phone": "123"})
    assert lead.status_code == 422
    fields = {detail["field"] for detail in lead.json()["details"]}
    assert "name" in fields

    bad_phone = await post_signed(
        hub, "/webhooks/site/lead", settings.webhook_secret("site"), {"name": "Ana", "phone": "123"}
    )
    assert bad_phone.status_code == 422
    assert "invalid Brazilian phone" in json.dumps(bad_phone.json()["details"])

    feedback = await post_signed(
        hub, "/webhooks/cuidadores/feedback", settings.webhook_secret("cuidadores"), {"rating": 11}
    )
    assert feedback.status_code == 422
    assert [d["field"] for d in feedback.json()["details"]] == ["rating"]

    not_an_object = await post_signed(hub, "/webhooks/site/lead", settings.webhook_secret("site"), [1, 2])
    assert not_an_object.status_code == 422
    assert await stored_events(rt) == []


async def test_an_email_only_site_lead_is_refused_since_the_crm_registers_by_phone(
    hub: httpx.AsyncClient, rt: Runtime, settings: Settings
) -> None:
    email_only = {"lead_id": 9901, "name": "Ana Lima", "email": "ana.lima@example.com.br"}
    for payload in (email_only, email_only | {"telefone": "  "}):
        refused = await post_signed(hub, "/webhooks/site/lead", settings.webhook_secret("site"), payload)
        assert refused.status_code == 422, refused.text
        [detail] = refused.json()["details"]
        assert detail["field"] in ("phone", "telefone")  # the name the sender used
        assert "a phone is required: the CRM registers leads by phone" in detail["message"]
    assert await stored_events(rt) == []
    schema = HOOKS["/webhooks/site/lead"].model.model_json_schema(by_alias=False)
    assert "phone" in schema["required"]  # documented, so fuzzers and the site know

    with_phone = email_only | {"whatsapp": "(11) 91234-5678"}
    accepted = await post_signed(hub, "/webhooks/site/lead", settings.webhook_secret("site"), with_phone)
    assert accepted.status_code == 202, accepted.text
