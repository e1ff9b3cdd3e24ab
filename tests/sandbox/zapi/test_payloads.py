"""What the simulator emits parses with our own callback parser into the expected objects."""

from __future__ import annotations

from carinho.connectors.zapi.callbacks import (
    ConnectionChange,
    DeliveryReport,
    MessageStatus,
    ReceivedMessage,
    parse_callback,
)
from carinho.sandbox.zapi import payloads

COMMON = {
    "instance_id": "I",
    "connected_phone": "5511940028922",
    "phone": "5511987654321",
    "sender_name": "Ana",
}


def test_received_text_and_media_parse() -> None:
    text = parse_callback(
        payloads.received_callback(**COMMON, text="Oi", media=None, caption=None, media_base_url="http://s")
    )
    assert isinstance(text, ReceivedMessage)
    assert (text.text, text.phone, text.from_me, text.sender_name) == ("Oi", "5511987654321", False, "Ana")
    for media, mime in (
        ("image", "image/png"),
        ("document", "application/pdf"),
        ("audio", "audio/ogg; codecs=opus"),
    ):
        parsed = parse_callback(
            payloads.received_callback(
                **COMMON, text=None, media=media, caption="c", media_base_url="http://s"
            )
        )
        assert isinstance(parsed, ReceivedMessage) and parsed.media is not None
        assert (
            parsed.media.mime_type == mime and parsed.media.url and parsed.media.url.startswith("http://s/")
        )


def test_status_delivery_and_connection_callbacks_parse() -> None:
    status = parse_callback(
        payloads.message_status_callback(instance_id="I", phone="5511987654321", status="READ", ids=["M"])
    )
    assert isinstance(status, MessageStatus) and status.ids == ["M"] and status.status == "READ"
    failed = parse_callback(
        payloads.delivery_callback(
            instance_id="I",
            phone="5511987654321",
            message_id="M",
            zaap_id="Z",
            error="Phone number does not exist",
        )
    )
    assert isinstance(failed, DeliveryReport) and failed.error == "Phone number does not exist"
    connected = parse_callback(payloads.connected_callback(instance_id="I", phone="5511940028922"))
    disconnected = parse_callback(payloads.disconnected_callback(instance_id="I"))
    assert isinstance(connected, ConnectionChange) and connected.connected
    assert isinstance(disconnected, ConnectionChange) and not disconnected.connected
