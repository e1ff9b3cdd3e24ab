"""The simulated customer phone and the Z-API instance's webhook configuration, over HTTP."""

from __future__ import annotations

import httpx

from tests.sandbox.harness import RunningSandbox, WebhookReceiver


def instance_url(sandbox: RunningSandbox, endpoint: str) -> str:
    s = sandbox.settings
    return (
        f"{s.zapi_base_url}/instances/{s.zapi_instance_id}/token/{s.zapi_token.get_secret_value()}/{endpoint}"
    )


def client_token(sandbox: RunningSandbox) -> dict[str, str]:
    return {"Client-Token": sandbox.settings.zapi_client_token.get_secret_value()}


async def test_phone_sends_text_as_a_received_callback(
    sandbox: RunningSandbox, receiver: WebhookReceiver
) -> None:
    async with httpx.AsyncClient(base_url=sandbox.url) as http:
        answer = await http.post(
            "/_sandbox/zapi/phone/messages",
            json={
                "phone": "(11) 98765-4321",
                "sender_name": "Maria",
                "text": "Olá, preciso de uma cuidadora",
            },
        )
    assert answer.status_code == 200
    assert answer.json()["status"] == 200
    [payload] = receiver.received
    assert payload["type"] == "ReceivedCallback"
    assert payload["phone"] == "5511987654321"
    assert payload["text"] == {"message": "Olá, preciso de uma cuidadora"}
    assert payload["instanceId"] == sandbox.settings.zapi_instance_id
    assert payload["fromMe"] is False and payload["chatLid"].endswith("@lid")
    assert isinstance(payload["momment"], int) and payload["momment"] > 1_700_000_000_000
    headers = receiver.headers[0]
    assert headers["z-api-token"] == sandbox.settings.zapi_token.get_secret_value()
    assert headers["origin"] == "https://api.z-api.io" and headers["server"] == "Z-API"
    assert "?token=test-zapi-secret" in sandbox.state.zapi.callbacks[-1].url


async def test_phone_sends_media_that_can_be_downloaded(
    sandbox: RunningSandbox, receiver: WebhookReceiver
) -> None:
    async with httpx.AsyncClient(base_url=sandbox.url) as http:
        for media in ("image", "document", "audio"):
            await http.post(
                "/_sandbox/zapi/phone/messages",
                json={"phone": "5511987654321", "media": media, "caption": "veja"},
            )
        image, document, audio = receiver.received
        assert image["image"]["caption"] == "veja" and image["image"]["mimeType"] == "image/png"
        assert document["document"]["mimeType"] == "application/pdf"
        assert audio["audio"]["ptt"] is True
        png = await http.get(image["image"]["imageUrl"])
        pdf = await http.get(document["document"]["documentUrl"])
    assert png.content.startswith(b"\x89PNG")
    assert pdf.content.startswith(b"%PDF-")


async def test_phone_message_needs_text_or_media(sandbox: RunningSandbox) -> None:
    async with httpx.AsyncClient(base_url=sandbox.url) as http:
        assert (
            await http.post("/_sandbox/zapi/phone/messages", json={"phone": "5511987654321"})
        ).status_code == 422
        bad_phone = await http.post("/_sandbox/zapi/phone/messages", json={"phone": "12", "text": "oi"})
    assert bad_phone.status_code == 400


async def test_webhook_urls_are_set_through_z_api_endpoints(
    sandbox: RunningSandbox, receiver: WebhookReceiver
) -> None:
    async with httpx.AsyncClient() as http:
        answer = await http.put(
            instance_url(sandbox, "update-webhook-received"),
            json={"value": "http://127.0.0.1:9/x"},
            headers=client_token(sandbox),
        )
        assert answer.json() == {"value": True}
        assert sandbox.state.zapi.webhooks["received"] == "http://127.0.0.1:9/x"
        assert sandbox.state.zapi.webhooks["delivery"] == receiver.url
        answer = await http.put(
            instance_url(sandbox, "update-every-webhooks"),
            json={"value": receiver.url, "notifySentByMe": True},
            headers=client_token(sandbox),
        )
        assert answer.json() == {"value": True}
    assert set(sandbox.state.zapi.webhooks.values()) == {receiver.url}
    assert sandbox.state.zapi.notify_sent_by_me is True


async def test_a_failing_webhook_is_recorded(sandbox: RunningSandbox, receiver: WebhookReceiver) -> None:
    receiver.status = 401
    delivery = await sandbox.state.zapi.phone_sends(phone="5511987654321", sender_name="Ana", text="oi")
    assert delivery.status == 401
    sandbox.state.zapi.webhooks["received"] = "http://127.0.0.1:9/nada"
    unreachable = await sandbox.state.zapi.phone_sends(phone="5511987654321", sender_name="Ana", text="oi")
    assert unreachable.status is None and unreachable.error


async def test_disconnect_and_reconnect_emit_callbacks(
    sandbox: RunningSandbox, receiver: WebhookReceiver
) -> None:
    async with httpx.AsyncClient(base_url=sandbox.url) as http:
        state = (await http.patch("/_sandbox/zapi/state", json={"connected": False})).json()
        assert state["connected"] is False
        await receiver.wait_for(lambda p: p["type"] == "DisconnectedCallback")
        await http.patch("/_sandbox/zapi/state", json={"connected": True})
        [connected] = await receiver.wait_for(lambda p: p["type"] == "ConnectedCallback")
    assert connected["phone"] == sandbox.state.zapi.connected_phone


async def test_inspection_lists_sent_messages_and_callbacks(
    sandbox: RunningSandbox, receiver: WebhookReceiver
) -> None:
    async with httpx.AsyncClient() as http:
        sent = await http.post(
            instance_url(sandbox, "send-text"),
            json={"phone": "5511987654321", "message": "Oi"},
            headers=client_token(sandbox),
        )
        message_id = sent.json()["messageId"]
        await receiver.wait_for(lambda p: message_id in p.get("ids", []) and p["status"] == "READ")
        messages = (await http.get(f"{sandbox.url}/_sandbox/zapi/messages")).json()
        callbacks = (
            await http.get(f"{sandbox.url}/_sandbox/zapi/callbacks", params={"type": "MessageStatusCallback"})
        ).json()
    assert messages[-1]["messageId"] == message_id and messages[-1]["status"] == "READ"
    assert [c["payload"]["status"] for c in callbacks] == ["SENT", "RECEIVED", "READ"]


async def test_unknown_endpoint_and_missing_content_type(sandbox: RunningSandbox) -> None:
    async with httpx.AsyncClient() as http:
        unknown = await http.get(instance_url(sandbox, "no-such-thing"), headers=client_token(sandbox))
        no_type = await http.post(
            instance_url(sandbox, "send-text"), content=b"{}", headers=client_token(sandbox)
        )
        wrong_method = await http.get(instance_url(sandbox, "send-text"), headers=client_token(sandbox))
    assert unknown.status_code == 404
    assert no_type.status_code == 415
    assert wrong_method.status_code == 405
