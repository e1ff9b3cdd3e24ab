"""The hub's fast lane for `POST /webhooks/...`, the hottest path of the platform.

A bare FastAPI endpoint spends ~60 µs of its ~80 µs per request in FastAPI's machinery (its middleware
stack, routing, dependency solving, Request and Response objects); for a webhook that was more than
checking, validating and storing it. So the hub's app (`HubApp`) hands these POSTs to the gateway
before any of that, as plain ASGI. The gateway does what the app's middleware would (X-Request-ID,
the 413, the last-resort 500, the request id on every log line) with the same helpers
(`kit/web.py: serve_with_request_id`), and calls the
same receivers as the documented routes in `endpoints.py`; `tests/integracoes/webhooks/test_gateway.py`
holds them to the same answers. Figures: docs/benchmarks.md.
"""

from __future__ import annotations

import functools
import json
from typing import Any

from starlette.datastructures import QueryParams
from starlette.types import Receive, Scope, Send

from carinho.errors import CarinhoError
from carinho.integracoes.webhooks.receiver import RECEIVERS, ZAPI_PATH, InboundWebhook, Receiver, answer_body
from carinho.kit.web import error_response, request_headers, serve_with_request_id, too_large
from carinho.runtime import Runtime

_JSON = (b"content-type", b"application/json")


def receiver_for(scope: Scope) -> Receiver | None:
    if scope["type"] != "http" or scope["method"] != "POST":
        return None
    return RECEIVERS.get(scope["path"])


async def serve(rt: Runtime, receiver: Receiver, scope: Scope, receive: Receive, send: Send) -> None:
    headers = request_headers(scope)

    async def handle(request_id: str, send_with_id: Send) -> None:
        await _serve(rt, receiver, request_id, headers, scope, receive, send_with_id)

    await serve_with_request_id(scope, receive, send, headers, handle)


async def _serve(
    rt: Runtime,
    receiver: Receiver,
    request_id: str,
    headers: dict[str, str],
    scope: Scope,
    receive: Receive,
    send: Send,
) -> None:
    limit = rt.settings.carinho_max_body_bytes
    declared = headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        await _send_response(too_large(limit), scope, send)
        return
    body = await _read_body(receive, limit)
    if body is None:  # the client went away: nothing stored, nobody to answer
        return
    if len(body) > limit:
        await _send_response(too_large(limit), scope, send)
        return
    token = QueryParams(scope["query_string"]).get("token") if scope["path"] == ZAPI_PATH else None
    try:
        result = await receiver.receive(rt, InboundWebhook(body, headers, token, request_id))
    except CarinhoError as exc:
        await _send_response(error_response(exc, request_id), scope, send)
        return
    status, answer = answer_body(receiver.source, result)
    await _send_json(status, _answer_json(answer), send)


async def _read_body(receive: Receive, limit: int) -> bytes | None:
    """The whole body, or as soon as it passes `limit` what was read so far; None on disconnect."""
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return None
        chunk = message.get("body", b"")
        chunks.append(chunk)
        size += len(chunk)
        if size > limit or not message.get("more_body", False):
            return b"".join(chunks)


def _answer_json(answer: dict[str, Any]) -> bytes:
    """`answer_body()`'s body as JSON, byte for byte what JSONResponse writes, written directly: json's
    encoder cost ~1.5 µs of it, a percent of a webhook's time."""
    duplicate = "true" if answer["duplicate"] else "false"
    status = _json_string(answer["status"])
    return f'{{"event_id":{int(answer["event_id"])},"status":{status},"duplicate":{duplicate}}}'.encode()


@functools.lru_cache(maxsize=64)  # an event status: a handful of values
def _json_string(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)


async def _send_json(status: int, content: bytes, send: Send) -> None:
    headers = [_JSON, (b"content-length", str(len(content)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": content})


async def _send_response(response: Any, scope: Scope, send: Send) -> None:
    await response(scope, _no_more_body, send)


async def _no_more_body() -> dict[str, Any]:
    return {"type": "http.disconnect"}
