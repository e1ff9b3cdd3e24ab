"""Webhook signatures, verified on the raw bytes (never on a re-serialisation).

- spatie/laravel-webhook-server: `Signature` = lowercase hex HMAC-SHA256(raw body, secret).
- Standard Webhooks: `webhook-id`, `webhook-timestamp`, `webhook-signature: v1,<base64>` over
  `id.timestamp.body`, secret `whsec_<base64>`, ±5 minutes of tolerance.
- Z-API: unsigned; accepted with an `X-Signature` hex HMAC of the raw body (signing proxies) or the
  `?token=` configured in the Z-API panel.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from collections.abc import Mapping
from datetime import datetime

from standardwebhooks import Webhook
from standardwebhooks.webhooks import WebhookVerificationError

from carinho.kit.clock import utcnow

STANDARD_TOLERANCE_SECONDS = 5 * 60


def new_whsec() -> str:
    """A Standard Webhooks secret: `whsec_` + base64 of 24 random bytes (Svix's size)."""
    return "whsec_" + base64.b64encode(secrets.token_bytes(24)).decode()


def hmac_hex(secret: str, body: bytes) -> str:
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def verify_hmac_hex(secret: str, body: bytes, signature: str | None) -> bool:
    if not secret or not signature:
        return False
    return hmac.compare_digest(hmac_hex(secret, body), signature.strip().lower())


def _standard_key(secret: str) -> bytes:
    raw = secret.removeprefix("whsec_")
    try:
        return base64.b64decode(raw, validate=True)
    except ValueError:
        return raw.encode()  # a plain shared secret, as some senders use


def standard_signature(secret: str, msg_id: str, timestamp: int, body: bytes) -> str:
    to_sign = f"{msg_id}.{timestamp}.".encode() + body
    digest = hmac.new(_standard_key(secret), to_sign, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def has_standard_headers(headers: Mapping[str, str]) -> bool:
    return all(headers.get(h) for h in ("webhook-id", "webhook-timestamp", "webhook-signature"))


def verify_standard(
    secret: str, body: bytes, headers: Mapping[str, str], now: datetime | None = None
) -> bool:
    """Verify Standard Webhooks headers. Any `v1,` signature in the list may match (rotation)."""
    if not secret or not has_standard_headers(headers):
        return False
    msg_id = headers["webhook-id"]
    try:
        timestamp = int(headers["webhook-timestamp"])
    except ValueError:
        return False
    current = int((now or utcnow()).timestamp())
    if abs(current - timestamp) > STANDARD_TOLERANCE_SECONDS:
        return False
    expected = standard_signature(secret, msg_id, timestamp, body).split(",", 1)[1]
    for candidate in headers["webhook-signature"].split():
        version, _, value = candidate.partition(",")
        if version == "v1" and hmac.compare_digest(value, expected):
            return True
    return False


def verify_carinho_system(secret: str, body: bytes, headers: Mapping[str, str]) -> bool:
    """A Carinho system's webhook: spatie `Signature`, or Standard Webhooks headers."""
    if has_standard_headers(headers):
        return verify_standard(secret, body, headers)
    return verify_hmac_hex(secret, body, headers.get("signature"))


def verify_zapi(secret: str, body: bytes, headers: Mapping[str, str], token: str | None) -> bool:
    """Z-API (or our hub forwarding it): X-Signature HMAC, Standard Webhooks, or `?token=`."""
    if not secret:
        return False
    if headers.get("x-signature"):
        return verify_hmac_hex(secret, body, headers["x-signature"])
    if has_standard_headers(headers):
        return verify_standard(secret, body, headers)
    return token is not None and hmac.compare_digest(token.encode(), secret.encode())


def sign_outbound(secret: str, msg_id: str, body: bytes, now: datetime | None = None) -> dict[str, str]:
    """Headers for a webhook we send: Standard Webhooks and spatie's `Signature`, same bytes."""
    timestamp = int((now or utcnow()).timestamp())
    return {
        "webhook-id": msg_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": standard_signature(secret, msg_id, timestamp, body),
        "Signature": hmac_hex(secret, body),
    }


def verify_with_library(secret: str, body: bytes, headers: Mapping[str, str]) -> bool:
    """Cross-check with the reference `standardwebhooks` implementation (used by tests/tools)."""
    try:
        Webhook(secret).verify(body, dict(headers), json_parse=False)
    except WebhookVerificationError:
        return False
    return True
