"""What Z-API's REST API answers, parsed tolerantly (fields may be absent; see zapi.md §1)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import AliasChoices, BaseModel, ConfigDict, Field


class SendResult(BaseModel):
    """A send-* answer. `message_id` is WhatsApp's id: DeliveryCallback and MessageStatusCallback
    refer to it. `skipped` is True when ZAPI_ENABLED=false turned the send into a no-op."""

    model_config = ConfigDict(frozen=True)

    zaap_id: str | None = None
    message_id: str | None = None
    id: str | None = None
    skipped: bool = False

    @classmethod
    def from_response(cls, body: dict[str, Any]) -> SendResult:
        message_id = body.get("messageId") or body.get("id")
        return cls(
            zaap_id=_str_or_none(body.get("zaapId")),
            message_id=_str_or_none(message_id),
            id=_str_or_none(body.get("id")),
        )


class InstanceStatus(BaseModel):
    """`GET /status`. Disconnection comes in a 200 body, not as an HTTP error."""

    model_config = ConfigDict(frozen=True)

    connected: bool
    smartphone_connected: bool = False
    error: str | None = None
    session: bool | None = None
    created: int | None = None

    @classmethod
    def from_response(cls, body: dict[str, Any]) -> InstanceStatus:
        return cls(
            connected=bool(body.get("connected")),
            smartphone_connected=bool(body.get("smartphoneConnected")),
            error=_str_or_none(body.get("error")),
            session=body.get("session") if isinstance(body.get("session"), bool) else None,
            created=body.get("created") if isinstance(body.get("created"), int) else None,
        )

    @property
    def needs_restore(self) -> bool:
        return bool(self.error) and "restore" in (self.error or "").lower()


class PhoneExists(BaseModel):
    """`GET /phone-exists/{phone}`: documented as a one-element array, parsed as an object by every
    public client; both are accepted."""

    model_config = ConfigDict(frozen=True)

    exists: bool
    phone: str | None = None
    lid: str | None = None

    @classmethod
    def from_response(cls, body: Any) -> PhoneExists:
        if isinstance(body, list):
            body = body[0] if body else {}
        if not isinstance(body, dict):
            return cls(exists=False)
        return cls(
            exists=bool(body.get("exists")),
            phone=_str_or_none(body.get("phone") or body.get("outputPhone")),
            lid=_str_or_none(body.get("lid")),
        )


class Button(BaseModel):
    label: str
    id: str | None = None


class ButtonAction(BaseModel):
    """A send-button-actions button. Do not mix REPLY with CALL/URL in one message (Z-API rule)."""

    type: Literal["CALL", "URL", "REPLY"]
    label: str
    id: str | None = None
    phone: str | None = None
    url: str | None = None


class Option(BaseModel):
    title: str
    id: str | None = None
    description: str | None = None


class OptionList(BaseModel):
    """`optionList` of send-option-list. Accepts Z-API's own shape (`buttonLabel`, as in its docs and
    in a payload copied from them) and the Python name (`button_label`); sends `buttonLabel`."""

    model_config = ConfigDict(populate_by_name=True)

    title: str
    button_label: str = Field(
        validation_alias=AliasChoices("buttonLabel", "button_label"), serialization_alias="buttonLabel"
    )
    options: list[Option]


def _str_or_none(value: Any) -> str | None:
    if value is None or value == "":
        return None
    return str(value)
