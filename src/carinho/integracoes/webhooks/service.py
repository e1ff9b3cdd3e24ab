"""Inbound webhooks: authenticate on the raw bytes, parse, validate, normalise, pick the idempotency key.

Order of checks: signature (401, nothing stored), content type (415), JSON (400), schema (422). The body
size limit (413) is enforced before any of this by the app's middleware.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from pydantic import ValidationError

from carinho.config import Settings
from carinho.connectors.zapi.callbacks import (
    MessageStatus,
    ReceivedMessage,
    idempotency_key,
    parse_callback,
)
from carinho.errors import BadRequest, Unauthorized, UnsupportedMediaType, ValidationFailed
from carinho.integracoes.events.service import NewEvent, body_key, normalize_key
from carinho.integracoes.webhooks.metrics import webhook_rejections
from carinho.integracoes.webhooks.sources import WHATSAPP_EVENT_TYPES, ZAPI_SOURCE, SystemWebhook
from carinho.kit import signatures
from carinho.kit.text import json_from_bytes
from carinho.logging import get_logger

log = get_logger(__name__)

IDEMPOTENCY_HEADERS = ("idempotency-key", "webhook-id")


def _reject_constant(value: str) -> Any:
    raise ValueError(f"{value} is not valid JSON")


_DECODER = json.JSONDecoder(
    parse_constant=_reject_constant
)  # built once: json.loads(**kw) builds one per call


def _masked(value: str | None) -> str | None:
    return None if not value else value[:4] + "…"


class WebhookService:
    def authenticate_system(
        self, settings: Settings, hook: SystemWebhook, body: bytes, headers: Mapping[str, str]
    ) -> None:
        secret = settings.webhook_secret(hook.source)
        if signatures.verify_carinho_system(secret, body, headers):
            return
        if not secret:
            reason = "secret_not_configured"
        elif not headers.get("signature") and not signatures.has_standard_headers(headers):
            reason = "missing_signature"
        else:
            reason = "invalid_signature"
        self._reject(hook.source, reason, headers, len(body))

    def authenticate_zapi(
        self, settings: Settings, body: bytes, headers: Mapping[str, str], token: str | None
    ) -> None:
        secret = settings.zapi_webhook_secret.get_secret_value()
        if signatures.verify_zapi(secret, body, headers, token):
            return
        if not secret:
            reason = "secret_not_configured"
        elif not headers.get("x-signature") and not signatures.has_standard_headers(headers) and not token:
            reason = "missing_signature"
        else:
            reason = "invalid_signature"
        self._reject(ZAPI_SOURCE, reason, headers, len(body), token=token)

    def _reject(
        self, source: str, reason: str, headers: Mapping[str, str], size: int, token: str | None = None
    ) -> None:
        webhook_rejections.labels(source=source, reason=reason).inc()
        log.warning(
            "webhook.rejected",
            source=source,
            reason=reason,
            signature=_masked(headers.get("signature") or headers.get("x-signature")),
            webhook_id=_masked(headers.get("webhook-id")),
            token=_masked(token),
            body_bytes=size,
        )
        raise Unauthorized("invalid or missing webhook signature")

    def parse_json(self, body: bytes, content_type: str | None) -> dict[str, Any]:
        media_type = (content_type or "").split(";", 1)[0].strip().lower()
        if media_type != "application/json" and not media_type.endswith("+json"):
            raise UnsupportedMediaType("webhooks must be sent as application/json")
        try:
            data = json_from_bytes(body, _DECODER)
        except (ValueError, RecursionError) as exc:  # JSONDecodeError and UnicodeDecodeError are ValueErrors
            raise BadRequest("malformed JSON body", details={"reason": str(exc)[:200]}) from None
        if not isinstance(data, dict):
            raise ValidationFailed(
                "the body must be a JSON object",
                details=[{"field": "body", "message": "expected a JSON object", "type": "object_type"}],
            )
        return data

    def system_event(
        self,
        hook: SystemWebhook,
        data: dict[str, Any],
        headers: Mapping[str, str],
        body: bytes,
        request_id: str | None,
    ) -> NewEvent:
        try:
            payload = hook.model.model_validate(data)
        except ValidationError as exc:
            raise ValidationFailed(
                f"the {hook.source} payload has invalid fields", details=validation_details(exc)
            ) from None
        key = _header_key(headers)
        if key is None:
            own_id = payload.own_id()
            key = f"{hook.event_type}:{own_id}" if own_id else body_key(body)
        return NewEvent(
            source=hook.source,
            event_type=hook.event_type,
            idempotency_key=normalize_key(key),
            payload=payload.normalized(),
            request_id=request_id,
        )

    def zapi_event(
        self,
        settings: Settings,
        data: dict[str, Any],
        headers: Mapping[str, str],
        body: bytes,
        request_id: str | None,
    ) -> NewEvent:
        """Every well-formed callback is stored. Group chats are `ignored` unless configured;
        `fromMe` messages are recorded like any other (the flows decide not to auto-reply)."""
        callback = parse_callback(data)
        key = idempotency_key(callback) or _header_key(headers) or body_key(body)
        in_group = isinstance(callback, ReceivedMessage | MessageStatus) and callback.is_group
        return NewEvent(
            source=ZAPI_SOURCE,
            event_type=WHATSAPP_EVENT_TYPES[type(callback).__name__],
            idempotency_key=normalize_key(key),
            payload=callback.model_dump_json(),
            ignored=in_group and not settings.zapi_accept_group_messages,
            request_id=request_id,
            raw_body=body,  # forwarded to atendimento byte for byte
        )


def _header_key(headers: Mapping[str, str]) -> str | None:
    for name in IDEMPOTENCY_HEADERS:
        value = (headers.get(name) or "").strip()
        if value:
            return value
    return None


def validation_details(exc: ValidationError) -> list[dict[str, Any]]:
    return [
        {
            "field": ".".join(str(part) for part in error.get("loc", ())) or "body",
            "message": error.get("msg", ""),
            "type": error.get("type", ""),
        }
        for error in exc.errors()
    ]


webhook_service = WebhookService()
