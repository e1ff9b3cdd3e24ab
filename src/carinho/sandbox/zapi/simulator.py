"""State of the simulated Z-API instance and the customer phones behind it.

Everything lives in memory: a restart of the sandbox starts a fresh instance. Sent messages and the
callbacks the simulator delivered are kept (bounded) for the inspection API and the sandbox page.
"""

from __future__ import annotations

import asyncio
import random
from collections import deque
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import httpx

from carinho.config import Settings
from carinho.kit import clock
from carinho.logging import get_logger
from carinho.sandbox.zapi import payloads

log = get_logger(__name__)

# Which webhook URL each callback type goes to (the keys of Z-API's update-webhook-* endpoints).
WEBHOOK_KINDS = {
    "received": "ReceivedCallback",
    "delivery": "DeliveryCallback",
    "message-status": "MessageStatusCallback",
    "connected": "ConnectedCallback",
    "disconnected": "DisconnectedCallback",
    "chat-presence": "PresenceChatCallback",
}
USER_AGENTS = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/111.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/16.1 Safari/605.1.15",
)
# Numbers ending in 0000 have no WhatsApp account: phone-exists says so and sends to them fail.
NO_WHATSAPP_SUFFIX = "0000"
MAX_KEPT = 1000


@dataclass
class SentMessage:
    zaap_id: str
    message_id: str
    endpoint: str
    phone: str
    body: dict[str, Any]
    sent_at: datetime
    status: str = "PENDING"
    error: str | None = None

    def view(self) -> dict[str, Any]:
        return {
            "zaapId": self.zaap_id,
            "messageId": self.message_id,
            "endpoint": self.endpoint,
            "phone": self.phone,
            "body": self.body,
            "sent_at": self.sent_at.isoformat(),
            "status": self.status,
            "error": self.error,
        }


@dataclass
class CallbackDelivery:
    type: str
    url: str
    payload: dict[str, Any]
    at: datetime
    status: int | None = None
    error: str | None = None

    def view(self) -> dict[str, Any]:
        return {
            "type": self.type,
            "url": self.url,
            "payload": self.payload,
            "at": self.at.isoformat(),
            "status": self.status,
            "error": self.error,
        }


@dataclass
class ZapiSimulator:
    instance_id: str
    token: str
    client_token: str
    connected_phone: str
    public_url: str
    callback_delay: float
    webhooks: dict[str, str] = field(default_factory=dict)
    notify_sent_by_me: bool = False
    connected: bool = True
    disable_enqueue_when_disconnected: bool = False
    subscription_expired: bool = False
    require_client_token: bool = True
    allowed_ips: list[str] = field(default_factory=list)
    phone_exists_form: str = "object"  # or "array", the documented form
    auto_read: bool = True
    send_z_api_token_header: bool = True
    sent: deque[SentMessage] = field(default_factory=lambda: deque(maxlen=MAX_KEPT))
    callbacks: deque[CallbackDelivery] = field(default_factory=lambda: deque(maxlen=MAX_KEPT))
    _tasks: set[asyncio.Task[None]] = field(default_factory=set)
    _http: httpx.AsyncClient | None = None

    @classmethod
    def from_settings(cls, settings: Settings) -> ZapiSimulator:
        default_hook = settings.sandbox_zapi_webhook_url or (
            f"http://127.0.0.1:{settings.integracoes_port}/webhooks/whatsapp"
            f"?token={settings.zapi_webhook_secret.get_secret_value()}"
        )
        host = "127.0.0.1" if settings.bind_host in ("0.0.0.0", "::") else settings.bind_host  # noqa: S104
        return cls(
            instance_id=settings.zapi_instance_id,
            token=settings.zapi_token.get_secret_value(),
            client_token=settings.zapi_client_token.get_secret_value(),
            connected_phone=settings.sandbox_zapi_phone,
            public_url=f"http://{host}:{settings.sandbox_port}",
            callback_delay=settings.sandbox_callback_delay_seconds,
            webhooks=dict.fromkeys(WEBHOOK_KINDS, default_hook),
        )

    # ----------------------------------------------------------------- sends

    def phone_has_whatsapp(self, phone: str) -> bool:
        return phone.isdigit() and not phone.endswith(NO_WHATSAPP_SUFFIX)

    def accept_send(self, endpoint: str, phone: str, body: dict[str, Any]) -> SentMessage:
        message = SentMessage(
            zaap_id=payloads.new_zaap_id(),
            message_id=payloads.new_message_id(),
            endpoint=endpoint,
            phone=phone,
            body=body,
            sent_at=clock.utcnow(),
        )
        self.sent.append(message)
        if self.connected:
            self._spawn(self._deliver(message))
        return message

    async def _deliver(self, message: SentMessage) -> None:
        """What the real service does after queueing: hand the message to WhatsApp (DeliveryCallback)
        and, when the phone gets and reads it, MessageStatusCallback SENT → RECEIVED → READ."""
        await asyncio.sleep(self.callback_delay)
        if not self.phone_has_whatsapp(message.phone):
            message.status, message.error = "FAILED", "Phone number does not exist"
            await self.emit(
                "delivery",
                payloads.delivery_callback(
                    instance_id=self.instance_id,
                    phone=message.phone,
                    message_id=message.message_id,
                    zaap_id=message.zaap_id,
                    error=message.error,
                ),
            )
            return
        await self.emit(
            "delivery",
            payloads.delivery_callback(
                instance_id=self.instance_id,
                phone=message.phone,
                message_id=message.message_id,
                zaap_id=message.zaap_id,
            ),
        )
        statuses = ["SENT", "RECEIVED"] + (["READ"] if self.auto_read else [])
        for status in statuses:
            await asyncio.sleep(self.callback_delay)
            message.status = status
            await self.emit(
                "message-status",
                payloads.message_status_callback(
                    instance_id=self.instance_id, phone=message.phone, status=status, ids=[message.message_id]
                ),
            )

    def reconnect(self) -> None:
        self.connected = True
        self._spawn(
            self.emit(
                "connected",
                payloads.connected_callback(instance_id=self.instance_id, phone=self.connected_phone),
            )
        )
        for message in self.sent:
            if message.status == "PENDING":
                self._spawn(self._deliver(message))

    def disconnect(self) -> None:
        self.connected = False
        self._spawn(self.emit("disconnected", payloads.disconnected_callback(instance_id=self.instance_id)))

    # ----------------------------------------------------------- the phone

    async def phone_sends(
        self,
        *,
        phone: str,
        sender_name: str,
        text: str | None = None,
        media: str | None = None,
        caption: str | None = None,
        reference_message_id: str | None = None,
    ) -> CallbackDelivery:
        """The customer's phone sends a message to the instance: a ReceivedCallback, delivered now."""
        payload = payloads.received_callback(
            instance_id=self.instance_id,
            connected_phone=self.connected_phone,
            phone=phone,
            sender_name=sender_name,
            text=text,
            media=media,
            caption=caption,
            media_base_url=f"{self.public_url}/zapi/media",
            reference_message_id=reference_message_id,
        )
        return await self.emit("received", payload)

    async def emit(self, kind: str, payload: dict[str, Any]) -> CallbackDelivery:
        url = self.webhooks.get(kind, "")
        delivery = CallbackDelivery(type=payload["type"], url=url, payload=payload, at=clock.utcnow())
        self.callbacks.append(delivery)
        if not url:
            delivery.error = "no webhook configured"
            return delivery
        try:
            response = await self._client().post(url, json=payload, headers=self._callback_headers())
            delivery.status = response.status_code
        except httpx.HTTPError as exc:
            delivery.error = f"{type(exc).__name__}: {exc}"[:300]
        log.info("sandbox.zapi.callback", type=delivery.type, status=delivery.status, error=delivery.error)
        return delivery

    def _callback_headers(self) -> dict[str, str]:
        headers = {
            "Content-Type": "application/json",
            "Origin": "https://api.z-api.io",
            "Server": "Z-API",
            "User-Agent": random.choice(USER_AGENTS),
        }
        if self.send_z_api_token_header:
            headers["z-api-token"] = self.token
        return headers

    def _client(self) -> httpx.AsyncClient:
        if self._http is None:
            self._http = httpx.AsyncClient(timeout=30.0)
        return self._http

    def _spawn(self, work: Any) -> None:
        task = asyncio.ensure_future(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def idle(self) -> None:
        """Wait until every scheduled callback was delivered (tests, demos); callbacks may schedule
        nothing new, so one pass is enough."""
        if self._tasks:
            await asyncio.wait(set(self._tasks))

    async def close(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        if self._http is not None:
            await self._http.aclose()
            self._http = None

    def reset(self) -> None:
        self.sent.clear()
        self.callbacks.clear()
