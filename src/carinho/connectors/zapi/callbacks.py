"""Z-API webhook callbacks: tolerant wire models and the normalised objects the hub works with.

Z-API's payloads are loosely specified (see docs/reference/zapi.md): keys come and go, `momment` is
spelled with two m's, and its unit is ms in every capture but seconds in one documented example. We accept
anything that is a JSON object. `parse_callback` never raises for a mapping; what it cannot understand
becomes an `UnknownCallback` carrying the raw payload.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any, Literal

from pydantic import BaseModel, Field, ValidationError

from carinho.connectors.zapi.callback_wire import (
    _ConnectionWire,
    _DeliveryWire,
    _PresenceWire,
    _ReceivedWire,
    _StatusWire,
)
from carinho.kit import clock
from carinho.kit.phones import normalize_br_phone

MessageKind = Literal[
    "text",
    "image",
    "document",
    "audio",
    "video",
    "sticker",
    "contact",
    "location",
    "reaction",
    "button_response",
    "list_response",
    "unknown",
]

# Epoch values below this are seconds (documented DisconnectedCallback), above it milliseconds.
_MS_THRESHOLD = 100_000_000_000
# Moments outside 2001..2100 are placeholders (the documented ConnectedCallback has one): use "now".
_PLAUSIBLE_SECONDS = (978_307_200, 4_102_444_800)


# --------------------------------------------------------------------------------------------------
# Normalised callbacks (what the hub works with).
# --------------------------------------------------------------------------------------------------


class Media(BaseModel):
    url: str | None = None
    mime_type: str | None = None
    caption: str | None = None
    file_name: str | None = None
    title: str | None = None
    thumbnail_url: str | None = None
    seconds: float | None = None
    voice_note: bool | None = None
    view_once: bool | None = None


class ReceivedMessage(BaseModel):
    """A `ReceivedCallback`: a message in a chat, sent by the contact or (fromMe) by our own number."""

    kind: MessageKind
    message_id: str
    phone: str | None = Field(description="E.164 digits; None for groups, newsletters and @lid chats")
    chat_id: str = Field(description="Z-API's raw `phone` field (a number, '<id>-group' or '<n>@lid')")
    from_me: bool = False
    is_group: bool = False
    is_newsletter: bool = False
    is_edit: bool = False
    edit_message_id: str | None = None
    sender_name: str | None = None
    chat_name: str | None = None
    participant_phone: str | None = None
    moment: datetime
    text: str | None = None
    selection_id: str | None = Field(None, description="buttonId / selectedRowId of a button or list reply")
    media: Media | None = None
    reference_message_id: str | None = None
    is_status_reply: bool = False
    waiting_message: bool = False
    notification: str | None = None
    raw: dict[str, Any]


class MessageStatus(BaseModel):
    """A `MessageStatusCallback` about messages we sent (or READ_BY_ME about ones we read)."""

    ids: list[str]
    status: str
    phone: str | None
    chat_id: str | None = None
    is_group: bool = False
    moment: datetime
    raw: dict[str, Any]


class DeliveryReport(BaseModel):
    """A `DeliveryCallback`: Z-API handed our message to WhatsApp, or failed to (`error`)."""

    message_id: str
    phone: str | None
    zaap_id: str | None = None
    error: str | None = None
    error_code: str | None = None
    moment: datetime
    raw: dict[str, Any]


class ConnectionChange(BaseModel):
    """`ConnectedCallback` / `DisconnectedCallback` of the instance."""

    connected: bool
    phone: str | None = None
    error: str | None = None
    moment: datetime
    raw: dict[str, Any]


class PresenceUpdate(BaseModel):
    """`PresenceChatCallback`: AVAILABLE / UNAVAILABLE / COMPOSING / PAUSED / RECORDING."""

    phone: str | None
    status: str | None
    last_seen: datetime | None = None
    raw: dict[str, Any]


class UnknownCallback(BaseModel):
    type: str | None
    raw: dict[str, Any]


ZapiCallback = (
    ReceivedMessage | MessageStatus | DeliveryReport | ConnectionChange | PresenceUpdate | UnknownCallback
)


# --------------------------------------------------------------------------------------------------
# Parsing
# --------------------------------------------------------------------------------------------------


def parse_callback(payload: Mapping[str, Any]) -> ZapiCallback:
    """Turn a Z-API callback body into its normalised object. Never raises for a mapping."""
    raw = dict(payload) if isinstance(payload, Mapping) else {}
    callback_type = raw.get("type") if isinstance(raw.get("type"), str) else None
    parser = _PARSERS.get(callback_type or "")
    if parser is None:
        return UnknownCallback(type=callback_type, raw=raw)
    try:
        return parser(raw)
    except (ValidationError, ValueError, TypeError, OverflowError):
        return UnknownCallback(type=callback_type, raw=raw)


def idempotency_key(callback: ZapiCallback) -> str | None:
    """The key that makes a redelivered callback a duplicate; None when only the body hash can tell.

    Delivery reports are prefixed because a fromMe ReceivedCallback of a message we sent through the API
    carries the same messageId as its DeliveryCallback, and both must be kept.
    """
    if isinstance(callback, ReceivedMessage):
        if callback.is_edit:
            return (
                f"edit:{callback.message_id}:{callback.edit_message_id or int(callback.moment.timestamp())}"
            )
        return callback.message_id
    if isinstance(callback, MessageStatus):
        return f"status:{','.join(callback.ids)}:{callback.status}"
    if isinstance(callback, DeliveryReport):
        return f"delivery:{callback.message_id}"
    return None


def moment_from_epoch(value: float | None) -> datetime:
    """Z-API's `momment`: ms in practice, seconds in one documented example; now when absent/absurd."""
    if value is None:
        return clock.utcnow()
    seconds = value / 1000 if abs(value) >= _MS_THRESHOLD else value
    if not _PLAUSIBLE_SECONDS[0] <= seconds <= _PLAUSIBLE_SECONDS[1]:
        return clock.utcnow()
    return datetime.fromtimestamp(seconds, tz=UTC)


def _chat_phone(chat_id: str | None, *, is_group: bool) -> str | None:
    if not chat_id or is_group or chat_id.endswith("-group"):
        return None
    if "@" in chat_id and not chat_id.endswith(("@c.us", "@s.whatsapp.net")):
        return None  # @lid, @newsletter, @broadcast: not a phone number
    return normalize_br_phone(chat_id)


def _clean(value: str | None) -> str | None:
    if value is None:
        return None
    stripped = value.strip()
    return stripped or None


def _parse_received(raw: dict[str, Any]) -> ReceivedMessage:
    wire = _ReceivedWire.model_validate(raw)
    chat_id = wire.phone or ""
    is_group = wire.is_group or chat_id.endswith("-group")
    kind, text, media, selection_id, reference = _content(wire)
    return ReceivedMessage(
        kind=kind,
        message_id=wire.message_id,
        phone=None if wire.is_newsletter else _chat_phone(chat_id, is_group=is_group),
        chat_id=chat_id,
        from_me=wire.from_me,
        is_group=is_group,
        is_newsletter=wire.is_newsletter,
        is_edit=wire.is_edit,
        edit_message_id=wire.edit_message_id,
        sender_name=_clean(wire.sender_name),
        chat_name=_clean(wire.chat_name),
        participant_phone=normalize_br_phone(wire.participant_phone) if wire.participant_phone else None,
        moment=moment_from_epoch(wire.momment),
        text=text,
        selection_id=selection_id,
        media=media,
        reference_message_id=wire.reference_message_id or reference,
        is_status_reply=wire.is_status_reply,
        waiting_message=wire.waiting_message,
        notification=wire.notification,
        raw=raw,
    )


_Content = tuple[MessageKind, str | None, Media | None, str | None, str | None]


def _content(wire: _ReceivedWire) -> _Content:
    """(kind, text, media, selection id, referenced message id) from the one content object present."""
    if wire.reaction is not None:
        referenced = wire.reaction.referenced_message
        return "reaction", wire.reaction.value, None, None, referenced.message_id if referenced else None
    if wire.buttons_response is not None:
        reply = wire.buttons_response
        return "button_response", _clean(reply.message), None, reply.button_id, None
    if wire.list_response is not None:
        choice = wire.list_response
        return (
            "list_response",
            _clean(choice.title) or _clean(choice.message),
            None,
            choice.selected_row_id,
            None,
        )
    if wire.text is not None:
        return "text", wire.text.message, None, None, None
    if wire.image is not None:
        image = wire.image
        media = Media(
            url=image.image_url,
            mime_type=image.mime_type,
            caption=_clean(image.caption),
            thumbnail_url=image.thumbnail_url,
            view_once=image.view_once,
        )
        return "image", media.caption, media, None, None
    if wire.document is not None:
        document = wire.document
        media = Media(
            url=document.document_url,
            mime_type=document.mime_type,
            caption=_clean(document.caption),
            file_name=document.file_name,
            title=document.title,
        )
        return "document", media.caption, media, None, None
    if wire.audio is not None:
        audio = wire.audio
        media = Media(
            url=audio.audio_url,
            mime_type=audio.mime_type,
            seconds=audio.seconds,
            voice_note=audio.ptt,
            view_once=audio.view_once,
        )
        return "audio", None, media, None, None
    if wire.video is not None:
        video = wire.video
        media = Media(
            url=video.video_url,
            mime_type=video.mime_type,
            caption=_clean(video.caption),
            seconds=video.seconds,
            view_once=video.view_once,
        )
        return "video", media.caption, media, None, None
    if wire.sticker is not None:
        media = Media(url=wire.sticker.sticker_url, mime_type=wire.sticker.mime_type)
        return "sticker", None, media, None, None
    if wire.contact is not None:
        return "contact", _clean(wire.contact.display_name), None, None, None
    if wire.location is not None:
        location = wire.location
        if location.latitude is None or location.longitude is None:
            return "location", _clean(location.address), None, None, None
        return "location", f"{location.latitude},{location.longitude}", None, None, None
    return "unknown", None, None, None, None


def _parse_status(raw: dict[str, Any]) -> MessageStatus:
    wire = _StatusWire.model_validate(raw)
    chat_id = wire.phone
    is_group = wire.is_group or bool(chat_id and chat_id.endswith("-group"))
    return MessageStatus(
        ids=wire.ids,
        status=wire.status.strip().upper(),
        phone=_chat_phone(chat_id, is_group=is_group),
        chat_id=chat_id,
        is_group=is_group,
        moment=moment_from_epoch(wire.momment),
        raw=raw,
    )


def _parse_delivery(raw: dict[str, Any]) -> DeliveryReport:
    wire = _DeliveryWire.model_validate(raw)
    return DeliveryReport(
        message_id=wire.message_id,
        phone=_chat_phone(wire.phone, is_group=False),
        zaap_id=wire.zaap_id,
        error=_clean(wire.error),
        error_code=wire.error_code,
        moment=moment_from_epoch(wire.momment),
        raw=raw,
    )


def _parse_connected(raw: dict[str, Any]) -> ConnectionChange:
    wire = _ConnectionWire.model_validate(raw)
    return ConnectionChange(
        connected=wire.connected if wire.connected is not None else True,
        phone=_chat_phone(wire.phone, is_group=False),
        error=_clean(wire.error),
        moment=moment_from_epoch(wire.momment),
        raw=raw,
    )


def _parse_disconnected(raw: dict[str, Any]) -> ConnectionChange:
    wire = _ConnectionWire.model_validate(raw)
    return ConnectionChange(
        connected=False,
        phone=_chat_phone(wire.phone, is_group=False),
        error=_clean(wire.error),
        moment=moment_from_epoch(wire.momment),
        raw=raw,
    )


def _parse_presence(raw: dict[str, Any]) -> PresenceUpdate:
    wire = _PresenceWire.model_validate(raw)
    return PresenceUpdate(
        phone=_chat_phone(wire.phone, is_group=False),
        status=wire.status.strip().upper() if wire.status else None,
        last_seen=moment_from_epoch(wire.last_seen) if wire.last_seen is not None else None,
        raw=raw,
    )


_PARSERS: dict[str, Callable[[dict[str, Any]], ZapiCallback]] = {
    "ReceivedCallback": _parse_received,
    "MessageStatusCallback": _parse_status,
    "DeliveryCallback": _parse_delivery,
    "ConnectedCallback": _parse_connected,
    "DisconnectedCallback": _parse_disconnected,
    "PresenceChatCallback": _parse_presence,
}
