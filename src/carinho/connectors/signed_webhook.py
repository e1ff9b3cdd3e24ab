"""POST a JSON document to a configured alert webhook, signed (Standard Webhooks headers and
spatie's `Signature`) when a secret is set, with a stable `webhook-id` and `Idempotency-Key` so a
retried POST is recognisable. Transient failures raise (the job retries); permanent ones return False."""

from __future__ import annotations

import httpx

from carinho.connectors.errors import ConnectorTransientError
from carinho.connectors.http import error_for_status, error_for_transport, response_message
from carinho.kit.signatures import sign_outbound

SYSTEM = "alert_webhook"


async def post_signed_json(
    url: str, secret: str, message_id: str, idempotency_key: str, body: bytes
) -> httpx.Response:
    headers = {"Content-Type": "application/json", "Idempotency-Key": idempotency_key}
    if secret:
        headers.update(sign_outbound(secret, message_id, body))
    try:
        async with httpx.AsyncClient(timeout=httpx.Timeout(15.0)) as client:
            response = await client.post(url, content=body, headers=headers)
    except httpx.HTTPError as exc:
        raise error_for_transport(SYSTEM, exc) from exc
    if not response.is_success:
        error = error_for_status(SYSTEM, response.status_code, response_message(response))
        if isinstance(error, ConnectorTransientError):
            raise error
    return response
