"""Z-API callbacks: every documented fixture parses into the right normalised object."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from carinho.connectors.zapi.callbacks import (
    ConnectionChange,
    DeliveryReport,
    MessageStatus,
    PresenceUpdate,
    ReceivedMessage,
    UnknownCallback,
    idempotency_key,
    moment_from_epoch,
    parse_callback,
)
from carinho.kit import clock
from tests.support.fixtures import ZAPI_FIXTURES

FIXTURES = ZAPI_FIXTURES
PATTERNS = (
    "received_*.json",
    "message_status*.json",
    "delivery*.json",
    "*connected.json",
    "presence_chat.json",
)
CALLBACK_FIXTURES = sorted(path.name for pattern in PATTERNS for path in FIXTURES.glob(pattern))


def load(name: str) -> dict[str, Any]:
    data = json.loads((FIXTURES / name).read_text())
    assert isinstance(data, dict)
    return data


def test_fixture_set_is_complete() -> None:
    assert len(CALLBACK_FIXTURES) == 24
    for expected in ("connected.json", "disconnected.json", "delivery_error.json", "received_sticker.json"):
        assert expected in CALLBACK_FIXTURES


@pytest.mark.parametrize("name", CALLBACK_FIXTURES)
def test_every_fixture_parses_to_a_known_callback(name: str) -> None:
    payload = load(name)
    callback = parse_callback(payload)
    assert not isinstance(callback, UnknownCallback)
    assert callback.raw == payload
    if isinstance(callback, ReceivedMessage | MessageStatus | DeliveryReport | ConnectionChange):
        assert callback.moment.tzinfo is not None
        assert callback.moment.utcoffset() == timedelta(0)


@pytest.mark.parametrize(
    ("name", "kind", "text"),
    [
        ("received_text.json", "text", "test"),
        ("received_text_status_reply.json", "text", "test"),
        ("received_image.json", "image", None),
        ("received_document.json", "document", None),
        ("received_audio.json", "audio", None),
        ("received_video.json", "video", None),
        ("received_sticker.json", "sticker", None),
        ("received_contact.json", "contact", "Cesar Baleco"),
        ("received_location.json", "location", "-100.0,-100.0"),
        ("received_reaction.json", "reaction", "❤️"),
        ("received_button_response.json", "button_response", "Great"),
        ("received_list_response.json", "list_response", "Z-API"),
        ("received_waiting_message.json", "unknown", None),
    ],
)
def test_received_message_kind_and_text(name: str, kind: str, text: str | None) -> None:
    callback = parse_callback(load(name))
    assert isinstance(callback, ReceivedMessage)
    assert callback.kind == kind
    assert callback.text == text
    assert callback.message_id == "A20DA9C0183A2D35A260F53F5D2B9244"
    assert callback.phone == "5544999999999"
    assert callback.chat_id == "5544999999999"
    assert not callback.is_group


def test_received_text_common_fields() -> None:
    callback = parse_callback(load("received_text.json"))
    assert isinstance(callback, ReceivedMessage)
    assert callback.from_me is False
    assert callback.sender_name == "name"
    assert callback.chat_name == "name"
    assert callback.moment == datetime(2021, 9, 21, 12, 50, 38, tzinfo=UTC)
    assert callback.media is None
    assert callback.reference_message_id is None
    assert idempotency_key(callback) == "A20DA9C0183A2D35A260F53F5D2B9244"


def test_media_details() -> None:
    image = parse_callback(load("received_image.json"))
    assert isinstance(image, ReceivedMessage) and image.media is not None
    assert image.media.mime_type == "image/jpeg"
    assert image.media.caption is None  # "" caption is no caption
    assert image.media.thumbnail_url == "https://"

    document = parse_callback(load("received_document.json"))
    assert isinstance(document, ReceivedMessage) and document.media is not None
    assert (document.media.file_name, document.media.mime_type) == ("name.pdf", "application/pdf")

    audio = parse_callback(load("received_audio.json"))
    assert isinstance(audio, ReceivedMessage) and audio.media is not None
    assert (audio.media.seconds, audio.media.voice_note) == (10, True)

    video = parse_callback(load("received_video.json"))
    assert isinstance(video, ReceivedMessage) and video.media is not None
    assert (video.media.seconds, video.media.mime_type) == (13, "video/mp4")

    sticker = parse_callback(load("received_sticker.json"))
    assert isinstance(sticker, ReceivedMessage) and sticker.media is not None
    assert sticker.media.mime_type == "image/webp"


def test_caption_becomes_text() -> None:
    payload = load("received_image.json")
    payload["image"]["caption"] = "  Receita do médico  "
    callback = parse_callback(payload)
    assert isinstance(callback, ReceivedMessage)
    assert callback.text == "Receita do médico"


def test_replies_carry_selection_and_reference() -> None:
    button = parse_callback(load("received_button_response.json"))
    assert isinstance(button, ReceivedMessage)
    assert button.selection_id == "1"
    assert button.reference_message_id == "A20DA9C0183A2D35A260F53F5D2B9244"

    reaction = parse_callback(load("received_reaction.json"))
    assert isinstance(reaction, ReceivedMessage)
    assert reaction.reference_message_id == "3EB0796DC6B777C0C7CD"

    status_reply = parse_callback(load("received_text_status_reply.json"))
    assert isinstance(status_reply, ReceivedMessage)
    assert status_reply.is_status_reply is True
    assert status_reply.reference_message_id == "3EB054C12BAAC70228AAB6"


def test_waiting_message_from_me() -> None:
    callback = parse_callback(load("received_waiting_message.json"))
    assert isinstance(callback, ReceivedMessage)
    assert callback.waiting_message is True
    assert callback.from_me is True


def test_group_message_has_no_phone() -> None:
    payload = load("received_text.json") | {
        "phone": "120363019502650977-group",
        "isGroup": True,
        "participantPhone": "(11) 91234-5678",
    }
    callback = parse_callback(payload)
    assert isinstance(callback, ReceivedMessage)
    assert callback.is_group is True
    assert callback.phone is None
    assert callback.chat_id == "120363019502650977-group"
    assert callback.participant_phone == "5511912345678"


def test_group_detected_from_chat_id_alone() -> None:
    payload = load("received_text.json") | {"phone": "120363019502650977-group"}
    payload.pop("isGroup")
    callback = parse_callback(payload)
    assert isinstance(callback, ReceivedMessage)
    assert callback.is_group is True and callback.phone is None


def test_lid_chat_is_not_a_phone() -> None:
    callback = parse_callback(load("received_text.json") | {"phone": "81896604192873@lid"})
    assert isinstance(callback, ReceivedMessage)
    assert callback.phone is None
    assert callback.chat_id == "81896604192873@lid"


@pytest.mark.parametrize(
    ("name", "status"),
    [
        ("message_status.json", "SENT"),
        ("message_status_sent.json", "SENT"),
        ("message_status_received.json", "RECEIVED"),
        ("message_status_read.json", "READ"),
        ("message_status_read_by_me.json", "READ_BY_ME"),
        ("message_status_played.json", "PLAYED"),
    ],
)
def test_message_status(name: str, status: str) -> None:
    callback = parse_callback(load(name))
    assert isinstance(callback, MessageStatus)
    assert callback.status == status
    assert callback.ids == ["999999999999999999999"]
    assert callback.phone == "5544999999999"
    assert callback.moment == datetime(2021, 9, 21, 14, 30, 45, tzinfo=UTC)
    assert idempotency_key(callback) == f"status:999999999999999999999:{status}"


def test_status_batch_and_lower_case() -> None:
    payload = load("message_status_read.json") | {"ids": ["A", "B", 3], "status": "read"}
    callback = parse_callback(payload)
    assert isinstance(callback, MessageStatus)
    assert callback.ids == ["A", "B", "3"]
    assert idempotency_key(callback) == "status:A,B,3:READ"


def test_delivery_without_and_with_error() -> None:
    ok = parse_callback(load("delivery.json"))
    assert isinstance(ok, DeliveryReport)
    assert ok.message_id == "A800FB3697F1DE58C48D"
    assert ok.error is None
    assert ok.phone == "554499999999"
    assert ok.moment == datetime.fromtimestamp(1777494009.341, tz=UTC)

    failed = parse_callback(load("delivery_error.json"))
    assert isinstance(failed, DeliveryReport)
    assert failed.error == "Phone number does not exist"
    assert idempotency_key(failed) == "delivery:A20DA9C0183A2D35A260F53F5D2B9244"


def test_delivery_key_differs_from_the_same_message_echoed_from_me() -> None:
    delivery = parse_callback(load("delivery.json"))
    echoed = parse_callback(
        load("received_text.json") | {"messageId": "A800FB3697F1DE58C48D", "fromMe": True}
    )
    assert idempotency_key(delivery) != idempotency_key(echoed)


def test_connected_and_disconnected() -> None:
    before = clock.utcnow()
    connected = parse_callback(load("connected.json"))
    assert isinstance(connected, ConnectionChange)
    assert connected.connected is True
    assert connected.phone == "5544999999999"
    # The documented momment (26151515154) is a placeholder: neither a plausible ms nor seconds epoch.
    assert connected.moment >= before
    assert idempotency_key(connected) is None

    disconnected = parse_callback(load("disconnected.json"))
    assert isinstance(disconnected, ConnectionChange)
    assert disconnected.connected is False
    assert disconnected.error == "Device has been disconnected"
    assert disconnected.moment == datetime(2020, 1, 27, 22, 15, 42, tzinfo=UTC)  # documented in seconds


def test_presence() -> None:
    callback = parse_callback(load("presence_chat.json"))
    assert isinstance(callback, PresenceUpdate)
    assert callback.phone == "5544999999999"
    assert callback.status == "COMPOSING"
    assert callback.last_seen is None
    assert idempotency_key(callback) is None


def test_edited_message_gets_its_own_key() -> None:
    original = parse_callback(load("received_text.json"))
    edited = parse_callback(load("received_text.json") | {"isEdit": True, "editMessageId": "EDIT1"})
    assert isinstance(edited, ReceivedMessage) and edited.is_edit
    assert idempotency_key(edited) == "edit:A20DA9C0183A2D35A260F53F5D2B9244:EDIT1"
    assert idempotency_key(edited) != idempotency_key(original)


def test_extra_fields_are_accepted_and_kept() -> None:
    payload = load("received_text.json") | {"brandNewField": {"x": 1}, "chatLid": "1@lid"}
    payload["text"] = payload["text"] | {"newKey": True}
    callback = parse_callback(payload)
    assert isinstance(callback, ReceivedMessage)
    assert callback.text == "test"
    assert callback.raw["brandNewField"] == {"x": 1}


def test_notification_without_content_is_unknown_kind() -> None:
    payload = {
        "type": "ReceivedCallback",
        "messageId": "N1",
        "phone": "5511912345678",
        "notification": "CALL_MISSED_VOICE",
        "momment": 1757348394708,
    }
    callback = parse_callback(payload)
    assert isinstance(callback, ReceivedMessage)
    assert callback.kind == "unknown"
    assert callback.notification == "CALL_MISSED_VOICE"
    assert callback.from_me is False


@pytest.mark.parametrize(
    "payload",
    [
        {},
        {"type": None},
        {"type": 42},
        {"type": "SomethingNewCallback", "phone": "5511912345678"},
        {"type": "ReceivedCallback"},  # no messageId
        {"type": "ReceivedCallback", "messageId": ""},
        {"type": "ReceivedCallback", "messageId": {"nested": True}},
        {"type": "MessageStatusCallback", "ids": [], "status": "READ"},
        {"type": "MessageStatusCallback", "ids": ["1"]},
        {"type": "DeliveryCallback"},
    ],
)
def test_unparseable_payloads_are_unknown_never_raise(payload: dict[str, Any]) -> None:
    callback = parse_callback(payload)
    assert isinstance(callback, UnknownCallback)
    assert callback.raw == payload
    assert idempotency_key(callback) is None


def test_malformed_content_and_nulls_are_tolerated() -> None:
    payload = load("received_text.json") | {
        "text": "not an object",
        "fromMe": None,
        "isGroup": None,
        "momment": None,
        "phone": 5511912345678,
    }
    before = clock.utcnow()
    callback = parse_callback(payload)
    assert isinstance(callback, ReceivedMessage)
    assert callback.kind == "unknown"
    assert callback.from_me is False and callback.is_group is False
    assert callback.phone == "5511912345678"
    assert callback.moment >= before


def test_moment_units() -> None:
    assert moment_from_epoch(1632228638000) == datetime(2021, 9, 21, 12, 50, 38, tzinfo=UTC)
    assert moment_from_epoch(1632228638) == datetime(2021, 9, 21, 12, 50, 38, tzinfo=UTC)
    now = clock.utcnow()
    assert moment_from_epoch(1e30) >= now
    assert moment_from_epoch(-5) >= now
