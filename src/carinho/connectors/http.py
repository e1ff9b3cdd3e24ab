"""What every connector shares: an httpx client with timeouts and one way to classify failures.

A failure becomes a `carinho.connectors.errors` exception that says whether a retry can help:
timeouts, connection errors, 5xx and 408/409/425/429 are transient; 401/403 are configuration
(auth) errors; 410 means the target is gone; any other 4xx is permanent.
"""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import Callable
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


# Idle connections are dropped before the servers drop them (uvicorn after 5 s), so a request never
# goes out on a connection the other side is closing.
KEEPALIVE_SECONDS = 2.0

_loop_clients: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[Any, httpx.AsyncClient]] = (
    weakref.WeakKeyDictionary()
)


def loop_client(key: Any, build: Callable[[], httpx.AsyncClient]) -> httpx.AsyncClient:
    """One client per event loop and `key`, kept open: its connections and its TLS context are
    reused by every call, where a client per call costs a TLS context (~10-30 ms of CPU loading the
    CA bundle, on the loop every job shares) and a new connection. Callers never close it."""
    clients = _loop_clients.setdefault(asyncio.get_running_loop(), {})
    client = clients.get(key)
    if client is None or client.is_closed:
        client = clients[key] = build()
    return client


def new_http_client(timeout: float, base_url: str = "") -> httpx.AsyncClient:
    return httpx.AsyncClient(
        base_url=base_url,
        timeout=httpx.Timeout(timeout, connect=min(timeout, 5.0)),
        headers={"User-Agent": USER_AGENT, "Accept": "application/json"},
        limits=httpx.Limits(
            max_connections=100, max_keepalive_connections=20, keepalive_expiry=KEEPALIVE_SECONDS
        ),
    )


def shared_http_client(timeout: float) -> httpx.AsyncClient:
    """The connectors' client of the running loop (see `loop_client`)."""
    return loop_client(("connector", timeout), lambda: new_http_client(timeout))
