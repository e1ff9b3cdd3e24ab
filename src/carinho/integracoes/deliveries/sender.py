"""Sends one signed webhook over HTTP and reports what happened (never raises for HTTP trouble).

One shared httpx.AsyncClient per event loop (connections are bound to their loop), with timeouts;
redirects are not followed: a 3xx is a failed attempt, as in Svix.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass

import httpx

from carinho.connectors.http import loop_client
from carinho.kit.masking import mask_text, mask_value

EXCERPT_MAX_BYTES = 2048
READ_MAX_BYTES = 16 * 1024
USER_AGENT = "Carinho-Integracoes/1.0"


@dataclass(frozen=True)
class SendResult:
    status_code: int | None  # None: no HTTP response (connection error, timeout)
    duration_ms: int
    excerpt: str | None
    error: str | None
    retry_after: str | None
    timed_out: bool


def _client(timeout_seconds: float) -> httpx.AsyncClient:
    return loop_client(
        ("deliveries", timeout_seconds),
        lambda: httpx.AsyncClient(
            timeout=httpx.Timeout(timeout_seconds, connect=min(5.0, timeout_seconds)),
            follow_redirects=False,
            limits=httpx.Limits(max_connections=100, max_keepalive_connections=20),
            headers={"User-Agent": USER_AGENT},
        ),
    )


def masked_excerpt(raw: bytes) -> str | None:
    """The start of a response body, with personal data masked, at most 2 kB of UTF-8."""
    if not raw:
        return None
    text = raw.decode("utf-8", errors="replace")
    try:
        masked = json.dumps(mask_value(json.loads(text)), ensure_ascii=False)
    except ValueError:
        masked = mask_text(text)
    return masked.encode()[:EXCERPT_MAX_BYTES].decode("utf-8", errors="ignore")


async def send(url: str, body: bytes, headers: dict[str, str], timeout_seconds: float) -> SendResult:
    started = time.perf_counter()

    def elapsed() -> int:
        return int((time.perf_counter() - started) * 1000)

    try:
        async with _client(timeout_seconds).stream(
            "POST", url, content=body, headers=headers, timeout=timeout_seconds
        ) as response:
            raw = b""
            async for chunk in response.aiter_bytes():
                raw += chunk
                if len(raw) >= READ_MAX_BYTES:
                    break
            return SendResult(
                status_code=response.status_code,
                duration_ms=elapsed(),
                excerpt=masked_excerpt(raw),
                error=None,
                retry_after=response.headers.get("retry-after"),
                timed_out=False,
            )
    except httpx.TimeoutException as exc:
        return SendResult(None, elapsed(), None, f"timeout: {type(exc).__name__}", None, True)
    except httpx.HTTPError as exc:
        return SendResult(None, elapsed(), None, f"{type(exc).__name__}: {exc}"[:500], None, False)
