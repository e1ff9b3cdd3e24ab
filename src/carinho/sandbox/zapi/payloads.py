"""Callback bodies in Z-API's exact shapes (tests/fixtures/zapi/*.json; the Z-API reference, zapi.md §2)."""

from __future__ import annotations

import hashlib
import secrets
from typing import Any

from carinho.kit import clock

MEDIA_TYPES = ("image", "document", "audio")


def chat_lid(phone: str) -> str:
    """A stable fake WhatsApp LID for a phone number."""
    return f"{int(hashlib.sha256(phone.encode()).hexdigest()[:12], 16) % 10**14:014d}@lid"


def momment() -> int:
    """Z-API's (sic) event time: epoch milliseconds."""
    return int(clock.utcnow().timestamp() * 1000)


def new_message_id() -> str:
    """WhatsApp-style message id (20 upper-case hex characters)."""
    return "3EB0" + secrets.token_hex(8).upper()


def new_zaap_id() -> str:
    return secrets.token_hex(16).upper()


def received_callback(
    *,
    instance_id: str,
    connected_phone: str,
    phone: str,
    sender_name: str,
    text: str | None,
    media: str | None,
    caption: str | None,
    media_base_url: str,
    message_id: str | None = None,
    reference_message_id: str | None = None,
) -> dict[str, Any]:
    """A ReceivedCallback from a private chat, keyed like the observed captures (`chatLid`, not
    `senderLid`; `participantPhone` absent in private chats)."""
    message_id = message_id or new_message_id()
    body: dict[str, Any] = {
        "isStatusReply": False,
        "chatLid": chat_lid(phone),
        "connectedPhone": connected_phone,
        "waitingMessage": False,
        "isEdit": False,
        "isGroup": False,
        "isNewsletter": False,
        "instanceId": instance_id,
        "messageId": message_id,
        "phone": phone,
        "fromMe": False,
        "momment": momment(),
        "status": "RECEIVED",
        "chatName": sender_name,
        "senderPhoto": None,
        "senderName": sender_name,
        "photo": None,
        "broadcast": False,
        "participantLid": None,
        "forwarded": False,
        "type": "ReceivedCallback",
        "fromApi": False,
    }
    if reference_message_id:
        body["referenceMessageId"] = reference_message_id
    if media == "image":
        body["image"] = {
            "mimeType": "image/png",
            "imageUrl": f"{media_base_url}/{message_id}.png",
            "thumbnailUrl": f"{media_base_url}/{message_id}.png",
            "caption": caption or "",
            "width": 1,
            "height": 1,
            "viewOnce": False,
        }
    elif media == "document":
        body["document"] = {
            "caption": caption,
            "documentUrl": f"{media_base_url}/{message_id}.pdf",
            "mimeType": "application/pdf",
            "title": "documento",
            "pageCount": 1,
            "fileName": "documento.pdf",
        }
    elif media == "audio":
        body["audio"] = {
            "ptt": True,
            "seconds": 3,
            "audioUrl": f"{media_base_url}/{message_id}.ogg",
            "mimeType": "audio/ogg; codecs=opus",
            "viewOnce": False,
        }
    else:
        body["text"] = {"message": text or ""}
    return body


def message_status_callback(*, instance_id: str, phone: str, status: str, ids: list[str]) -> dict[str, Any]:
    return {
        "instanceId": instance_id,
        "status": status,
        "ids": ids,
        "momment": momment(),
        "phoneDevice": 0,
        "phone": phone,
        "type": "MessageStatusCallback",
        "isGroup": False,
    }


def delivery_callback(
    *, instance_id: str, phone: str, message_id: str, zaap_id: str, error: str | None = None
) -> dict[str, Any]:
    body: dict[str, Any] = {"phone": phone, "messageId": message_id}
    if error:
        body["error"] = error
    body.update(
        {"instanceId": instance_id, "zaapId": zaap_id, "momment": momment(), "type": "DeliveryCallback"}
    )
    return body


def connected_callback(*, instance_id: str, phone: str) -> dict[str, Any]:
    return {
        "type": "ConnectedCallback",
        "connected": True,
        "momment": momment(),
        "instanceId": instance_id,
        "phone": phone,
        "isBusiness": True,
    }


def disconnected_callback(*, instance_id: str) -> dict[str, Any]:
    return {
        "momment": momment(),
        "error": "Device has been disconnected",
        "disconnected": True,
        "type": "DisconnectedCallback",
        "instanceId": instance_id,
    }
