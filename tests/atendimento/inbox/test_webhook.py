"""POST /webhooks/whatsapp: authentication, idempotency, every Z-API message type, statuses."""

from __future__ import annotations

import json

import httpx
import pytest
from sqlalchemy import func, select

from carinho.atendimento.inbox.models import Contact, Conversation, Message
from carinho.runtime import Runtime
from tests.atendimento.conftest import OPEN_INSTANT, fixture, freeze_at, post_webhook, received


async def count(rt: Runtime, model: type) -> int:
    async with rt.db("atendimento").session() as session:
        return int((await session.execute(select(func.count()).select_from(model))).scalar_one())


@pytest.mark.parametrize("mode", ["signature", "token", "standard"])
async def test_forwarded_and_direct_webhooks_are_accepted(
    seeded: Runtime, atendimento: httpx.AsyncClient, mode: str
) -> None:
    freeze_at(OPEN_INSTANT)
    response = await post_webhook(atendimento, received(f"MSG-{mode}"), mode=mode)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["status"] == "created"
    assert body["new_conversation"] is True
    async with seeded.db("atendimento").session() as session:
        contact = (await session.execute(select(Contact))).scalar_one()
        assert contact.phone == "5511987654321"
        assert contact.name == "Maria Souza"
        message = await session.get(Message, body["message_id"])
        assert message is not None
        assert message.zapi_message_id == f"MSG-{mode}"
        assert message.direction == "inbound"
        assert message.content == "Olá, preciso de uma cuidadora"


@pytest.mark.parametrize(
    ("mode", "secret"),
    [
        ("none", "test-zapi-secret"),
        ("signature", "wrong-secret"),
        ("token", "wrong-secret"),
        ("standard", "wrong"),
    ],
)
async def test_unsigned_or_wrongly_signed_webhooks_are_refused(
    seeded: Runtime, atendimento: httpx.AsyncClient, mode: str, secret: str
) -> None:
    response = await post_webhook(atendimento, received("MSG-X"), mode=mode, secret=secret)
    assert response.status_code == 401
    assert response.json()["error"] == "unauthorized"
    assert await count(seeded, Message) == 0


async def test_a_redelivered_message_is_stored_once(seeded: Runtime, atendimento: httpx.AsyncClient) -> None:
    freeze_at(OPEN_INSTANT)
    first = await post_webhook(atendimento, received("MSG-DUP"))
    second = await post_webhook(atendimento, received("MSG-DUP"), mode="token")
    assert first.json()["status"] == "created"
    assert second.status_code == 200
    assert second.json()["status"] == "duplicate"
    assert second.json()["message_id"] == first.json()["message_id"]
    assert await count(seeded, Message) == 1 + await count_automatic(seeded)
    assert await count(seeded, Conversation) == 1


async def count_automatic(rt: Runtime) -> int:
    async with rt.db("atendimento").session() as session:
        stmt = select(func.count()).select_from(Message).where(Message.direction == "outbound")
        return int((await session.execute(stmt)).scalar_one())


async def test_bad_bodies_get_clear_errors(seeded: Runtime, atendimento: httpx.AsyncClient) -> None:
    from carinho.kit.signatures import hmac_hex

    for body in (b"not json", b"[1, 2]"):
        response = await atendimento.post(
            "/webhooks/whatsapp",
            content=body,
            headers={"content-type": "application/json", "x-signature": hmac_hex("test-zapi-secret", body)},
        )
        assert response.status_code == 400
        assert response.json()["error"] == "bad_request"


@pytest.mark.parametrize("text", ["Olá \\udc00", "Olá \\ud83d"])
async def test_a_lone_surrogate_is_kept_as_a_replacement_character(
    seeded: Runtime, atendimento: httpx.AsyncClient, text: str
) -> None:
    """A message with a broken character (half an emoji) is kept, the character shown as U+FFFD."""
    from carinho.kit.signatures import hmac_hex

    body = fixture("received_text")
    body["text"] = {"message": "PLACEHOLDER"}
    raw = json.dumps(body).replace("PLACEHOLDER", text).encode()
    response = await atendimento.post(
        "/webhooks/whatsapp",
        content=raw,
        headers={"content-type": "application/json", "x-signature": hmac_hex("test-zapi-secret", raw)},
    )
    assert response.status_code == 200, response.text
    async with seeded.db("atendimento").session() as session:
        inbound = select(Message.content).where(Message.direction == "inbound")
        texts = (await session.execute(inbound)).scalars().all()
    assert texts == ["Olá \ufffd"]


@pytest.mark.parametrize(
    ("name", "kind", "has_media"),
    [
        ("received_text", "text", False),
        ("received_image", "image", True),
        ("received_document", "document", True),
        ("received_audio", "audio", True),
        ("received_video", "video", True),
        ("received_contact", "contact", False),
        ("received_location", "location", False),
        ("received_sticker", "sticker", True),
        ("received_reaction", "reaction", False),
        ("received_button_response", "button_response", False),
        ("received_list_response", "list_response", False),
    ],
)
async def test_every_zapi_message_type_becomes_a_message(
    seeded: Runtime, atendimento: httpx.AsyncClient, name: str, kind: str, has_media: bool
) -> None:
    freeze_at(OPEN_INSTANT)
    payload = fixture(name)
    payload["messageId"] = f"FIX-{name}"
    payload["phone"] = "5544999999999"
    response = await post_webhook(atendimento, payload)
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "created"
    async with seeded.db("atendimento").session() as session:
        message = await session.get(Message, response.json()["message_id"])
        assert message is not None
        assert message.kind == kind
        assert (message.media_url is not None) == has_media
        if kind == "location":
            assert "latitude" in message.extra["location"]


@pytest.mark.parametrize("name", ["received_waiting_message", "received_text_status_reply"])
async def test_notifications_and_status_replies_are_ignored(
    seeded: Runtime, atendimento: httpx.AsyncClient, name: str
) -> None:
    response = await post_webhook(atendimento, fixture(name))
    assert response.status_code == 200
    assert response.json()["status"] == "ignored"
    assert await count(seeded, Message) == 0


async def test_group_messages_are_ignored(seeded: Runtime, atendimento: httpx.AsyncClient) -> None:
    payload = received("MSG-GROUP", phone="120363019502650977-group", isGroup=True)
    response = await post_webhook(atendimento, payload)
    assert response.json()["status"] == "ignored"
    assert await count(seeded, Conversation) == 0


async def test_connection_and_presence_callbacks_are_acknowledged(
    seeded: Runtime, atendimento: httpx.AsyncClient
) -> None:
    for name in ("connected", "disconnected", "presence_chat"):
        response = await post_webhook(atendimento, fixture(name))
        assert response.status_code == 200
        assert response.json()["status"] == "ignored"
