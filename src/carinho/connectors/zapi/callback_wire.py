"""Z-API callback bodies as they arrive on the wire: every field optional, extra fields kept."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator


class _Wire(BaseModel):
    model_config = ConfigDict(extra="allow", populate_by_name=True, coerce_numbers_to_str=True)


class _WireContent(_Wire):
    """A type-specific content object; a non-object value is treated as absent."""


class _Text(_WireContent):
    message: str | None = None
    title: str | None = None
    description: str | None = None
    url: str | None = None


class _Image(_WireContent):
    image_url: str | None = Field(None, alias="imageUrl")
    thumbnail_url: str | None = Field(None, alias="thumbnailUrl")
    mime_type: str | None = Field(None, alias="mimeType")
    caption: str | None = None
    width: int | None = None
    height: int | None = None
    view_once: bool | None = Field(None, alias="viewOnce")


class _Document(_WireContent):
    document_url: str | None = Field(None, alias="documentUrl")
    mime_type: str | None = Field(None, alias="mimeType")
    title: str | None = None
    file_name: str | None = Field(None, alias="fileName")
    caption: str | None = None
    page_count: int | None = Field(None, alias="pageCount")


class _Audio(_WireContent):
    audio_url: str | None = Field(None, alias="audioUrl")
    mime_type: str | None = Field(None, alias="mimeType")
    seconds: float | None = None
    ptt: bool | None = None
    view_once: bool | None = Field(None, alias="viewOnce")


class _Video(_WireContent):
    video_url: str | None = Field(None, alias="videoUrl")
    mime_type: str | None = Field(None, alias="mimeType")
    caption: str | None = None
    seconds: float | None = None
    view_once: bool | None = Field(None, alias="viewOnce")


class _Sticker(_WireContent):
    sticker_url: str | None = Field(None, alias="stickerUrl")
    mime_type: str | None = Field(None, alias="mimeType")


class _Contact(_WireContent):
    display_name: str | None = Field(None, alias="displayName")
    vcard: str | None = Field(None, alias="vCard")
    phones: list[str] = Field(default_factory=list)


class _Location(_WireContent):
    latitude: float | None = None
    longitude: float | None = None
    address: str | None = None
    url: str | None = None


class _ReferencedMessage(_WireContent):
    message_id: str | None = Field(None, alias="messageId")


class _Reaction(_WireContent):
    value: str | None = None
    referenced_message: _ReferencedMessage | None = Field(None, alias="referencedMessage")


class _ButtonsResponse(_WireContent):
    button_id: str | None = Field(None, alias="buttonId")
    message: str | None = None


class _ListResponse(_WireContent):
    message: str | None = None
    title: str | None = None
    selected_row_id: str | None = Field(None, alias="selectedRowId")


class _ReceivedWire(_Wire):
    message_id: str = Field(alias="messageId", min_length=1)
    phone: str | None = None
    from_me: bool = Field(False, alias="fromMe")
    is_group: bool = Field(False, alias="isGroup")
    is_newsletter: bool = Field(False, alias="isNewsletter")
    is_status_reply: bool = Field(False, alias="isStatusReply")
    is_edit: bool = Field(False, alias="isEdit")
    edit_message_id: str | None = Field(None, alias="editMessageId")
    waiting_message: bool = Field(False, alias="waitingMessage")
    broadcast: bool = False
    sender_name: str | None = Field(None, alias="senderName")
    chat_name: str | None = Field(None, alias="chatName")
    participant_phone: str | None = Field(None, alias="participantPhone")
    momment: float | None = None
    reference_message_id: str | None = Field(None, alias="referenceMessageId")
    notification: str | None = None
    text: _Text | None = None
    image: _Image | None = None
    document: _Document | None = None
    audio: _Audio | None = None
    video: _Video | None = None
    sticker: _Sticker | None = None
    contact: _Contact | None = None
    location: _Location | None = None
    reaction: _Reaction | None = None
    buttons_response: _ButtonsResponse | None = Field(None, alias="buttonsResponseMessage")
    list_response: _ListResponse | None = Field(None, alias="listResponseMessage")

    @model_validator(mode="before")
    @classmethod
    def _drop_malformed_content(cls, data: Any) -> Any:
        if not isinstance(data, Mapping):
            return data
        cleaned = dict(data)
        for name, field in cls.model_fields.items():
            annotation = field.annotation
            key = field.alias or name
            if (
                key in cleaned
                and _is_content_annotation(annotation)
                and not isinstance(cleaned[key], Mapping)
            ):
                cleaned[key] = None
        for key in ("fromMe", "isGroup", "isNewsletter", "isStatusReply", "isEdit", "waitingMessage"):
            if cleaned.get(key) is None:
                cleaned.pop(key, None)
        return cleaned


def _is_content_annotation(annotation: Any) -> bool:
    args = getattr(annotation, "__args__", ())
    return any(isinstance(arg, type) and issubclass(arg, _WireContent) for arg in args)


class _StatusWire(_Wire):
    ids: list[str] = Field(min_length=1)
    status: str = Field(min_length=1)
    phone: str | None = None
    is_group: bool = Field(False, alias="isGroup")
    momment: float | None = None

    @field_validator("ids", mode="before")
    @classmethod
    def _ids(cls, value: Any) -> Any:
        if isinstance(value, str | int):
            value = [value]
        if isinstance(value, list):
            return [str(item) for item in value if item is not None and str(item)]
        return value


class _DeliveryWire(_Wire):
    message_id: str = Field(alias="messageId", min_length=1)
    phone: str | None = None
    zaap_id: str | None = Field(None, alias="zaapId")
    error: str | None = None
    error_code: str | None = Field(None, alias="errorCode")
    momment: float | None = None


class _ConnectionWire(_Wire):
    connected: bool | None = None
    disconnected: bool | None = None
    phone: str | None = None
    error: str | None = None
    momment: float | None = None


class _PresenceWire(_Wire):
    phone: str | None = None
    status: str | None = None
    last_seen: float | None = Field(None, alias="lastSeen")
