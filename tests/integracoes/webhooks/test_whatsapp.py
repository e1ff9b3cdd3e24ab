"""`POST /webhooks/whatsapp`: every Z-API callback is accepted, stored once, typed canonically."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from prometheus_client import REGISTRY

from carinho import runtime
from carinho.config import Settings
from carinho.integracoes.app import create_app
from carinho.integracoes.events.service import event_service
from carinho.integracoes.flows.registry import PROCESS_EVENT_JOB, handles
from carinho.kit import signatures
from carinho.runtime import Runtime
from tests.conftest import asgi_client
from tests.integracoes.webhooks.support import ZAPI_SECRET, outbox_args, post_zapi, stored_events
from tests.support.fixtures import ZAPI_FIXTURES

FIXTURES = ZAPI_FIXTURES
PATTERNS = (
    "received_*.json",
    "message_status*.json",
    "delivery*.json",
    "*connected.json",
    "presence_chat.json",
)
CALLBACKS = sorted(path.name for pattern in PATTERNS for path in FIXTURES.glob(pattern))

EXPECTED_TYPES = {
    "received": "whatsapp.message.received",
    "message": "whatsapp.message.status",
    "delivery": "whatsapp.delivery",
    "connected.json": "whatsapp.connection",
    "disconnected.json": "whatsapp.connection",
    "presence": "whatsapp.presence",
}


def load(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((FIXTURES / name).read_text())
    return data


def expected_type(name: str) -> str:
    return EXPECTED_TYPES.get(name) or EXPECTED_TYPES[name.removesuffix(".json").split("_")[0]]


@pytest.mark.parametrize("name", CALLBACKS)
async def test_every_zapi_fixture_is_accepted(hub: httpx.AsyncClient, rt: Runtime, name: str) -> None:
    response = await post_zapi(hub, load(name))

    assert response.status_code == 202, response.text
    [event] = await stored_events(rt)
    assert event.source == "zapi"
    assert event.event_type == expected_type(name)
    handled = handles(event.event_type)
    assert event.status == ("received" if handled else "ignored")
    jobs = await outbox_args(rt)
    assert jobs == ([(PROCESS_EVENT_JOB, event.lane, {"event_id": event.id})] if handled else [])
    async with rt.db("integracoes").session() as session:
        payload = await event_service.payload(session, event)
    assert payload["raw"] == load(name)


async def test_fixture_set_covers_every_callback_kind() -> None:
    assert len(CALLBACKS) == 24
    assert {expected_type(name) for name in CALLBACKS} == set(EXPECTED_TYPES.values())


async def test_received_message_payload_is_normalised(hub: httpx.AsyncClient, rt: Runtime) -> None:
    response = await post_zapi(hub, load("received_text.json"))
    assert response.status_code == 202
    [event] = await stored_events(rt)
    assert event.idempotency_key == "A20DA9C0183A2D35A260F53F5D2B9244"
    async with rt.db("integracoes").session() as session:
        payload = await event_service.payload(session, event)
    assert payload["kind"] == "text"
    assert payload["phone"] == "5544999999999"
    assert payload["text"] == "test"
    assert payload["moment"] == "2021-09-21T12:50:38Z"


async def test_redelivered_message_is_a_duplicate(hub: httpx.AsyncClient, rt: Runtime) -> None:
    first = await post_zapi(hub, load("received_image.json"))
    again = await post_zapi(hub, load("received_image.json") | {"momment": 1632228829000})
    assert (first.status_code, again.status_code) == (202, 200)
    assert again.json()["event_id"] == first.json()["event_id"]
    assert again.json()["duplicate"] is True
    assert len(await stored_events(rt)) == 1


async def test_status_callbacks_key_on_ids_and_status(hub: httpx.AsyncClient, rt: Runtime) -> None:
    sent = await post_zapi(hub, load("message_status_sent.json"))
    read = await post_zapi(hub, load("message_status_read.json"))
    read_again = await post_zapi(hub, load("message_status_read.json"))
    assert (sent.status_code, read.status_code, read_again.status_code) == (202, 202, 200)
    keys = [event.idempotency_key for event in await stored_events(rt)]
    assert keys == ["status:999999999999999999999:SENT", "status:999999999999999999999:READ"]


async def test_from_me_is_recorded_like_any_message(hub: httpx.AsyncClient, rt: Runtime) -> None:
    response = await post_zapi(hub, load("received_text.json") | {"fromMe": True, "messageId": "ME1"})
    assert response.status_code == 202
    [event] = await stored_events(rt)
    assert event.status == "received"
    async with rt.db("integracoes").session() as session:
        assert (await event_service.payload(session, event))["from_me"] is True


def group_message() -> dict[str, Any]:
    return load("received_text.json") | {
        "messageId": "GRP1",
        "phone": "120363019502650977-group",
        "isGroup": True,
        "participantPhone": "5511912345678",
    }


async def test_group_messages_are_ignored_by_default(hub: httpx.AsyncClient, rt: Runtime) -> None:
    response = await post_zapi(hub, group_message())
    assert response.status_code == 202
    assert response.json()["status"] == "ignored"
    [event] = await stored_events(rt)
    assert event.status == "ignored"
    assert await outbox_args(rt) == []


async def test_group_messages_processed_when_configured(rt: Runtime, settings: Settings) -> None:
    configured = runtime.configure(settings.with_overrides(zapi_accept_group_messages=True))
    try:
        async with asgi_client(create_app(configured), "http://integracoes.test") as client:
            response = await post_zapi(client, group_message())
        assert response.status_code == 202
        assert response.json()["status"] == "received"
        assert len(await outbox_args(configured)) == 1
    finally:
        for db in configured.databases.values():
            await db.dispose()


async def test_unknown_callback_type_is_stored_ignored(hub: httpx.AsyncClient, rt: Runtime) -> None:
    response = await post_zapi(hub, {"type": "NewsletterAdminCallback", "instanceId": "X", "foo": [1]})
    assert response.status_code == 202
    assert response.json()["status"] == "ignored"
    [event] = await stored_events(rt)
    assert event.event_type == "whatsapp.unknown"
    assert event.idempotency_key.startswith("sha256:")


async def test_x_signature_is_accepted(hub: httpx.AsyncClient, rt: Runtime) -> None:
    body = json.dumps(load("received_text.json")).encode()
    headers = {"Content-Type": "application/json", "X-Signature": signatures.hmac_hex(ZAPI_SECRET, body)}
    response = await hub.post("/webhooks/whatsapp", content=body, headers=headers)
    assert response.status_code == 202


@pytest.mark.parametrize(
    ("params", "headers", "reason"),
    [
        ({}, {}, "missing_signature"),
        ({"token": "wrong"}, {}, "invalid_signature"),
        ({}, {"X-Signature": "00" * 32}, "invalid_signature"),
        ({"token": ZAPI_SECRET}, {"X-Signature": "00" * 32}, "invalid_signature"),  # a bad signature wins
    ],
)
async def test_bad_or_missing_authentication_is_401(
    hub: httpx.AsyncClient, rt: Runtime, params: dict[str, str], headers: dict[str, str], reason: str
) -> None:
    labels = {"source": "zapi", "reason": reason}
    before = REGISTRY.get_sample_value("carinho_webhook_rejections_total", labels) or 0.0
    response = await hub.post(
        "/webhooks/whatsapp", params=params, json=load("received_text.json"), headers=headers
    )
    assert response.status_code == 401
    assert await stored_events(rt) == []
    assert REGISTRY.get_sample_value("carinho_webhook_rejections_total", labels) == before + 1


async def test_malformed_and_non_object_bodies(hub: httpx.AsyncClient, rt: Runtime) -> None:
    params = {"token": ZAPI_SECRET}
    malformed = await hub.post(
        "/webhooks/whatsapp", params=params, content=b"{nope", headers={"Content-Type": "application/json"}
    )
    array = await hub.post("/webhooks/whatsapp", params=params, json=[load("received_text.json")])
    assert (malformed.status_code, array.status_code) == (400, 422)
    assert await stored_events(rt) == []
