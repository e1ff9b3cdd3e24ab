"""The fast lane for a few hot POST paths (the hub's webhooks), as plain ASGI.

A bare FastAPI endpoint spends ~60 µs of its ~80 µs per request in FastAPI's machinery (routing,
dependency solving, the Request and Response objects, its exception middleware); for a webhook that
was more than checking, validating and storing it. `install_gateway` puts `Gateway` innermost in the
app's own middleware: every middleware the app has, or is given later (`add_middleware` wraps the
stack from outside), runs around the lane as around any route — the request id, the body limit, the
last-resort 500 — and only FastAPI's routing and its Request/Response machinery are skipped.
`tests/kit/fast_ingest/test_gateway.py` holds that; the hub's tests hold its answers to its routes'.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

from fastapi import FastAPI
from starlette.middleware import Middleware
from starlette.types import ASGIApp, Receive, Scope, Send

from carinho.errors import CarinhoError
from carinho.kit.web import error_response, request_headers

_JSON = (b"content-type", b"application/json")


@dataclass(slots=True)
class FastRequest:
    path: str
    body: bytes  # the exact bytes received: signatures are checked on them
    headers: dict[str, str]  # lowercase names, as ASGI gives them
    query_string: bytes
    request_id: str | None  # RequestIdMiddleware's


# A lane's handler answers with a status and a JSON body already encoded.
Handler = Callable[[FastRequest], Awaitable[tuple[int, bytes]]]


class Gateway:
    """ASGI middleware: POSTs to the handled paths are answered here, everything else goes on."""

    def __init__(self, app: ASGIApp, handlers: Mapping[str, Handler]) -> None:
        self.app = app
        self.handlers = handlers

    def handler_for(self, scope: Scope) -> Handler | None:
        if scope["type"] != "http" or scope["method"] != "POST":
            return None
        return self.handlers.get(scope["path"])

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        handler = self.handler_for(scope)
        if handler is None:
            await self.app(scope, receive, send)
            return
        body = await _read_body(receive)
        if body is None:  # the client went away: nothing stored, nobody to answer
            return
        request_id = scope.get("state", {}).get("request_id")
        request = FastRequest(scope["path"], body, request_headers(scope), scope["query_string"], request_id)
        try:
            status, content = await handler(request)
        except CarinhoError as exc:
            await error_response(exc, request_id)(scope, _no_more_body, send)
            return
        await send_json(status, content, send)


def install_gateway(app: FastAPI, handlers: Mapping[str, Handler]) -> None:
    """`Gateway` as the innermost of the app's middleware (Starlette's `add_middleware` inserts each
    new one outside those already there)."""
    app.user_middleware.append(Middleware(Gateway, handlers=handlers))


async def _read_body(receive: Receive) -> bytes | None:
    """The whole body (the body limit is the app's middleware's, around this), None on disconnect."""
    chunks: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return None
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            return chunks[0] if len(chunks) == 1 else b"".join(chunks)


async def send_json(status: int, content: bytes, send: Send) -> None:
    headers = [_JSON, (b"content-length", str(len(content)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": content})


async def _no_more_body() -> dict[str, Any]:
    return {"type": "http.disconnect"}
