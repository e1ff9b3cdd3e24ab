"""Z-API REST client: `ZAPI_BASE_URL/instances/{ZAPI_INSTANCE_ID}/token/{ZAPI_TOKEN}/<endpoint>` with
the `Client-Token` header (zapi.md §1).

Every send goes through the per-instance rate limiter, which never waits: over the limit a send raises
`ConnectorPaced(retry_after)` and the caller reschedules it. `pacing_key` names the send (the step's
idempotency key, the message's id) so that it keeps its reserved slot when it comes back. With
ZAPI_ENABLED=false nothing is sent: the send is logged as skipped and returns `SendResult(skipped=True)`.
"""

from __future__ import annotations

from typing import Any

import httpx

from carinho.config import Settings
from carinho.connectors.http import error_for_transport, safe_json, shared_http_client
from carinho.connectors.zapi.errors import SYSTEM, ZapiRejected, error_for_body, value_false
from carinho.connectors.zapi.ratelimit import SendRateLimiter
from carinho.connectors.zapi.schemas import (
    Button,
    ButtonAction,
    InstanceStatus,
    OptionList,
    PhoneExists,
    SendResult,
)
from carinho.kit.phones import normalize_br_phone
from carinho.logging import get_logger

log = get_logger(__name__)


def zapi_phone(phone: str) -> str:
    """Digits for a person, kept as-is for groups (`…-group`) and LIDs (`…@lid`)."""
    if phone.endswith("-group") or phone.endswith("@lid"):
        return phone
    return normalize_br_phone(phone) or phone


class ZapiClient:
    def __init__(
        self, settings: Settings, http: httpx.AsyncClient | None = None, *, pacing_key: str | None = None
    ) -> None:
        self.settings = settings
        self.pacing_key = pacing_key
        self.enabled = settings.zapi_enabled
        self.http = http or shared_http_client(settings.zapi_timeout_seconds)
        base = settings.zapi_base_url.rstrip("/")
        token = settings.zapi_token.get_secret_value()
        self.base_url = f"{base}/instances/{settings.zapi_instance_id}/token/{token}"
        self.limiter = SendRateLimiter(settings)

    async def aclose(self) -> None:
        """Nothing to release: the client is the caller's or the loop's shared one."""

    async def __aenter__(self) -> ZapiClient:
        return self

    async def __aexit__(self, *_: object) -> None:
        await self.aclose()

    # ------------------------------------------------------------------ sends

    async def send_text(
        self,
        phone: str,
        message: str,
        *,
        delay_message: int | None = None,
        delay_typing: int | None = None,
        reply_to: str | None = None,
    ) -> SendResult:
        body = {"phone": zapi_phone(phone), "message": message, "messageId": reply_to}
        return await self._send("send-text", body, delay_message, delay_typing)

    async def send_image(
        self,
        phone: str,
        image: str,
        *,
        caption: str | None = None,
        view_once: bool | None = None,
        reply_to: str | None = None,
        delay_message: int | None = None,
    ) -> SendResult:
        """`image` is a URL or a `data:image/...;base64,` string."""
        body = {
            "phone": zapi_phone(phone),
            "image": image,
            "caption": caption,
            "viewOnce": view_once,
            "messageId": reply_to,
        }
        return await self._send("send-image", body, delay_message, None)

    async def send_document(
        self,
        phone: str,
        document: str,
        extension: str,
        *,
        file_name: str | None = None,
        caption: str | None = None,
        reply_to: str | None = None,
        delay_message: int | None = None,
    ) -> SendResult:
        """`document` is a URL or a `data:application/pdf;base64,` string; the extension goes in the
        path and is required by Z-API."""
        ext = (extension or "bin").lstrip(".").lower() or "bin"
        body = {
            "phone": zapi_phone(phone),
            "document": document,
            "fileName": file_name,
            "caption": caption,
            "messageId": reply_to,
        }
        return await self._send(f"send-document/{ext}", body, delay_message, None)

    async def send_link(
        self,
        phone: str,
        message: str,
        *,
        image: str,
        link_url: str,
        title: str,
        link_description: str,
        link_type: str | None = None,
        delay_message: int | None = None,
        delay_typing: int | None = None,
    ) -> SendResult:
        """Z-API requires `message` to end with `link_url`; it is appended when it does not."""
        if not message.rstrip().endswith(link_url):
            message = f"{message.rstrip()} {link_url}"
        body = {
            "phone": zapi_phone(phone),
            "message": message,
            "image": image,
            "linkUrl": link_url,
            "title": title,
            "linkDescription": link_description,
            "linkType": link_type,
        }
        return await self._send("send-link", body, delay_message, delay_typing)

    async def send_button_list(
        self,
        phone: str,
        message: str,
        buttons: list[Button] | list[dict[str, Any]],
        *,
        delay_message: int | None = None,
    ) -> SendResult:
        items = [Button.model_validate(b).model_dump(exclude_none=True) for b in buttons]
        body = {"phone": zapi_phone(phone), "message": message, "buttonList": {"buttons": items}}
        return await self._send("send-button-list", body, delay_message, None)

    async def send_button_actions(
        self,
        phone: str,
        message: str,
        actions: list[ButtonAction] | list[dict[str, Any]],
        *,
        title: str | None = None,
        footer: str | None = None,
        image: str | None = None,
        delay_message: int | None = None,
    ) -> SendResult:
        items = [ButtonAction.model_validate(a) for a in actions]
        kinds = {a.type for a in items}
        if "REPLY" in kinds and kinds - {"REPLY"}:
            raise ZapiRejected("Z-API does not mix REPLY with CALL/URL buttons", system=SYSTEM)
        body = {
            "phone": zapi_phone(phone),
            "message": message,
            "title": title,
            "footer": footer,
            "image": image,
            "buttonActions": [a.model_dump(exclude_none=True) for a in items],
        }
        return await self._send("send-button-actions", body, delay_message, None)

    async def send_option_list(
        self,
        phone: str,
        message: str,
        option_list: OptionList | dict[str, Any],
        *,
        delay_message: int | None = None,
    ) -> SendResult:
        options = OptionList.model_validate(option_list)
        body = {
            "phone": zapi_phone(phone),
            "message": message,
            "optionList": options.model_dump(by_alias=True, exclude_none=True),
        }
        return await self._send("send-option-list", body, delay_message, None)

    # ------------------------------------------------------------- the rest

    async def read_message(self, phone: str, message_id: str) -> None:
        if not self.enabled:
            log.info("zapi.read_skipped", reason="ZAPI_ENABLED=false")
            return
        body = await self._request(
            "POST", "read-message", {"phone": zapi_phone(phone), "messageId": message_id}
        )
        if isinstance(body, dict) and body.get("value") is False:
            raise value_false()

    async def phone_exists(self, phone: str) -> bool:
        """Whether the number has WhatsApp. With ZAPI_ENABLED=false it is assumed to."""
        return (await self.check_phone(phone)).exists

    async def check_phone(self, phone: str) -> PhoneExists:
        if not self.enabled:
            return PhoneExists(exists=True, phone=zapi_phone(phone))
        body = await self._request("GET", f"phone-exists/{zapi_phone(phone)}")
        return PhoneExists.from_response(body)

    async def status(self) -> InstanceStatus:
        if not self.enabled:
            return InstanceStatus(connected=False, error="ZAPI_ENABLED=false")
        body = await self._request("GET", "status")
        return InstanceStatus.from_response(body if isinstance(body, dict) else {})

    # ------------------------------------------------------------ internals

    async def _send(
        self,
        endpoint: str,
        body: dict[str, Any],
        delay_message: int | None,
        delay_typing: int | None,
    ) -> SendResult:
        if not self.enabled:
            log.info("zapi.send_skipped", endpoint=endpoint, reason="ZAPI_ENABLED=false")
            return SendResult(skipped=True)
        if delay_message is not None:
            body["delayMessage"] = _clamp_delay(delay_message)
        if delay_typing is not None:
            body["delayTyping"] = _clamp_delay(delay_typing)
        payload = {k: v for k, v in body.items() if v is not None}
        await self.limiter.acquire(self.pacing_key)
        answer = await self._request("POST", endpoint, payload)
        if not isinstance(answer, dict):
            raise ZapiRejected(f"Z-API answered {endpoint} without a JSON object", system=SYSTEM)
        if answer.get("value") is False:
            raise value_false()
        result = SendResult.from_response(answer)
        if not (result.message_id or result.zaap_id):
            raise ZapiRejected(f"Z-API answered {endpoint} without a message id", system=SYSTEM)
        log.info("zapi.sent", endpoint=endpoint, message_id=result.message_id, zaap_id=result.zaap_id)
        return result

    async def _request(self, method: str, endpoint: str, body: dict[str, Any] | None = None) -> Any:
        headers = {
            "Client-Token": self.settings.zapi_client_token.get_secret_value(),
            "Content-Type": "application/json",
        }
        try:
            response = await self.http.request(
                method, f"{self.base_url}/{endpoint}", json=body, headers=headers
            )
        except httpx.HTTPError as exc:
            raise error_for_transport(SYSTEM, exc) from exc
        parsed = safe_json(response)
        if response.is_success:
            return parsed
        raise error_for_body(response.status_code, parsed if parsed is not None else response.text)


def _clamp_delay(seconds: int) -> int:
    """Z-API accepts 1–15 seconds."""
    return max(1, min(15, int(seconds)))
