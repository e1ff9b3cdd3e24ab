"""What every connector shares: an httpx client with timeouts and one way to classify failures.

A failure becomes a `carinho.connectors.errors` exception that says whether a retry can help:
timeouts, connection errors, 5xx and 408/409/425/429 are transient; 401/403 are configuration
(auth) errors; 410 means the target is gone; any other 4xx is permanent.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import httpx

from carinho.connectors.errors import (
    ConnectorAuthError,
    ConnectorError,
    ConnectorGone,
    ConnectorPermanentError,
    ConnectorRateLimited,
    ConnectorTransientError,
)
from carinho.kit import retry

TRANSIENT_STATUSES = frozenset({408, 409, 425, 429})
USER_AGENT = "carinho-integracoes/0.1"


def parse_retry_after(value: str | None) -> float | None:
    """`Retry-After` as seconds, an HTTP date measured against the wall clock (the server's)."""
    return retry.parse_retry_after(value, now=datetime.now(UTC))


def error_for_status(
    system: str, status: int, message: str, *, retry_after: float | None = None
) -> ConnectorError:
    text = f"{system} answered {status}: {message}" if message else f"{system} answered {status}"
    if status == 429:
        return ConnectorRateLimited(text, system=system, upstream_status=status, retry_after=retry_after)
    if status >= 500 or status in TRANSIENT_STATUSES:
        return ConnectorTransientError(text, system=system, upstream_status=status, retry_after=retry_after)
    if status in (401, 403):
        return ConnectorAuthError(text, system=system, upstream_status=status)
    if status == 410:
        return ConnectorGone(text, system=system, upstream_status=status)
    return ConnectorPermanentError(text, system=system, upstream_status=status)


def error_for_transport(system: str, exc: httpx.HTTPError) -> ConnectorTransientError:
    kind = "timed out" if isinstance(exc, httpx.TimeoutException) else "unreachable"
    return ConnectorTransientError(f"{system} {kind}: {type(exc).__name__}", system=system)


def response_message(response: httpx.Response) -> str:
    """The human part of an error body: Laravel's `message`, Z-API's `error`, or a short text."""
    body = safe_json(response)
    if isinstance(body, dict):
        for key in ("message", "error"):
            value = body.get(key)
            if isinstance(value, str) and value:
                return value[:300]
    return response.text[:300]


def safe_json(response: httpx.Response) -> Any:
    if not response.content:
        return None
    try:
        return response.json()
    except ValueError:
        return None


def new_http_client(timeout: float, base_url: str = "") -> httpx.AsyncClient:
    return httpx.AsyncClient(
        base_url=base_url,
        timeout=httpx.Timeout(timeout, connect=min(timeout, 5.0)),
        headers={"User-Agent": USER_AGENT, "Accept": "application/json"},
    )
