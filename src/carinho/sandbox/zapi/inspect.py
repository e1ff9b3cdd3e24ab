"""`/_sandbox/zapi/...`: what the simulated instance sent and delivered, its switches, and the
customer's phone (make it send a WhatsApp message to the instance)."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field, model_validator

from carinho.errors import BadRequest
from carinho.kit.phones import normalize_br_phone
from carinho.sandbox.zapi.simulator import ZapiSimulator

router = APIRouter(prefix="/_sandbox/zapi", tags=["sandbox: zapi"])


class PhoneMessage(BaseModel):
    """A message the customer's phone sends to the instance (becomes a ReceivedCallback)."""

    phone: str = Field(examples=["5511987654321"])
    sender_name: str = "Cliente Sandbox"
    text: str | None = Field(default=None, examples=["Olá, gostaria de saber sobre cuidadores"])
    media: Literal["image", "document", "audio"] | None = None
    caption: str | None = None
    reference_message_id: str | None = None

    @model_validator(mode="after")
    def _something_to_send(self) -> PhoneMessage:
        if not self.text and not self.media:
            raise ValueError("text or media is required")
        return self


class InstanceSwitches(BaseModel):
    connected: bool | None = None
    disable_enqueue_when_disconnected: bool | None = None
    subscription_expired: bool | None = None
    require_client_token: bool | None = None
    allowed_ips: list[str] | None = None
    phone_exists_form: Literal["object", "array"] | None = None
    auto_read: bool | None = None
    callback_delay: float | None = Field(default=None, ge=0, le=60)
    send_z_api_token_header: bool | None = None


def _sim(request: Request) -> ZapiSimulator:
    sim: ZapiSimulator = request.app.state.sandbox.zapi
    return sim


def state_view(sim: ZapiSimulator) -> dict[str, Any]:
    return {
        "instance_id": sim.instance_id,
        "connected_phone": sim.connected_phone,
        "connected": sim.connected,
        "disable_enqueue_when_disconnected": sim.disable_enqueue_when_disconnected,
        "subscription_expired": sim.subscription_expired,
        "require_client_token": sim.require_client_token,
        "allowed_ips": sim.allowed_ips,
        "phone_exists_form": sim.phone_exists_form,
        "auto_read": sim.auto_read,
        "callback_delay": sim.callback_delay,
        "send_z_api_token_header": sim.send_z_api_token_header,
        "notify_sent_by_me": sim.notify_sent_by_me,
        "webhooks": sim.webhooks,
        "messages_sent": len(sim.sent),
        "callbacks_delivered": len(sim.callbacks),
    }


@router.get("/state")
async def get_state(request: Request) -> dict[str, Any]:
    return state_view(_sim(request))


@router.patch("/state")
async def change_state(change: InstanceSwitches, request: Request) -> dict[str, Any]:
    sim = _sim(request)
    values = change.model_dump(exclude_none=True)
    connected = values.pop("connected", None)
    for name, value in values.items():
        setattr(sim, name, value)
    if connected is True and not sim.connected:
        sim.reconnect()
    elif connected is False and sim.connected:
        sim.disconnect()
    return state_view(sim)


@router.get("/messages")
async def sent_messages(request: Request, phone: str | None = None) -> list[dict[str, Any]]:
    """Every message our side sent through the instance, oldest first."""
    return [m.view() for m in _sim(request).sent if phone is None or m.phone == phone]


@router.get("/callbacks")
async def callbacks(request: Request, type: str | None = None) -> list[dict[str, Any]]:
    """Every callback the simulator posted to a webhook URL, with the answer it got."""
    return [c.view() for c in _sim(request).callbacks if type is None or c.type == type]


@router.delete("/messages", status_code=204)
async def reset(request: Request) -> None:
    _sim(request).reset()


@router.post("/phone/messages")
async def phone_sends(message: PhoneMessage, request: Request) -> dict[str, Any]:
    """The customer's phone sends a WhatsApp message: the simulator posts the ReceivedCallback to the
    configured webhook now and answers with what the webhook answered."""
    phone = normalize_br_phone(message.phone)
    if phone is None:
        raise BadRequest("telefone inválido")
    delivery = await _sim(request).phone_sends(
        phone=phone,
        sender_name=message.sender_name,
        text=message.text,
        media=message.media,
        caption=message.caption,
        reference_message_id=message.reference_message_id,
    )
    return delivery.view()
