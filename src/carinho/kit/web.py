"""What every FastAPI app of ours shares: request ids, a body size limit, one error handler."""

from __future__ import annotations

import random
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

import structlog
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from carinho.errors import CarinhoError
from carinho.logging import get_logger

log = get_logger(__name__)

REQUEST_ID_HEADER = "x-request-id"
# FastAPI's 400 for a body its JSON parser could not even read (e.g. bytes that are not UTF-8).
FASTAPI_UNPARSABLE_BODY = "There was an error parsing the body"

HtmlErrorRenderer = Callable[[Request, int, str], Awaitable[Any]]


class RequestIdMiddleware:
    """Takes or makes an X-Request-ID, binds it to every log line, returns it on the response."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def handle(_: str, send_with_id: Send) -> None:
            await self.app(scope, receive, send_with_id)

        await serve_with_request_id(scope, receive, send, request_headers(scope), handle)


RequestHandler = Callable[[str, Send], Awaitable[None]]


async def serve_with_request_id(
    scope: Scope, receive: Receive, send: Send, headers: Mapping[str, str], handle: RequestHandler
) -> None:
    """Run `handle(request_id, send)` for one HTTP request: the request id bound to every log line and
    returned in X-Request-ID, and an unhandled error answered with the last-resort 500 (if nothing
    was sent yet)."""
    request_id = request_id_of(scope, headers)
    started = False

    async def send_with_id(message: Message) -> None:
        nonlocal started
        if message["type"] == "http.response.start":
            started = True
            message.setdefault("headers", []).append((REQUEST_ID_HEADER.encode(), request_id.encode()))
        await send(message)

    tokens = structlog.contextvars.bind_contextvars(request_id=request_id)
    try:
        await handle(request_id, send_with_id)
    except Exception as exc:
        # The last resort: a clear answer with the request id, never a stack trace.
        log.error("request.unhandled_error", path=scope.get("path"), error=type(exc).__name__, exc_info=exc)
        if started:  # too late for an answer: the server closes the connection
            raise
        await internal_error(scope, request_id)(scope, receive, send_with_id)
    finally:
        structlog.contextvars.reset_contextvars(**tokens)


def request_headers(scope: Scope) -> dict[str, str]:
    """The request's headers by (lowercase, as ASGI gives them) name; the first of repeated ones, as
    Starlette's `Headers.get` answers."""
    headers: dict[str, str] = {}
    for name, value in scope["headers"]:
        headers.setdefault(name.decode("latin-1"), value.decode("latin-1"))
    return headers


def request_id_of(scope: Scope, headers: Mapping[str, str]) -> str:
    """The caller's X-Request-ID (if printable), else a new one; kept in the request state."""
    incoming = headers.get(REQUEST_ID_HEADER, "")
    request_id = incoming[:64] if incoming and incoming.isprintable() else new_request_id()
    scope.setdefault("state", {})["request_id"] = request_id
    return request_id


def new_request_id() -> str:
    """32 hex digits, as `uuid4().hex`, from the process's PRNG: a request id correlates log lines and
    guards nothing, and uuid4 reads the OS entropy pool (a system call) for every request."""
    return f"{random.getrandbits(128):032x}"


def internal_error(scope: Scope, request_id: str) -> Response:
    """The last resort: a clear answer with the request id, never a stack trace."""
    accept = dict(scope["headers"]).get(b"accept", b"").decode("latin-1")
    if "text/html" in accept:
        page = INTERNAL_ERROR_PAGE.format(request_id=request_id)
        return HTMLResponse(page, status_code=500)
    body = {"error": "internal_error", "message": "an internal error occurred", "request_id": request_id}
    return JSONResponse(body, status_code=500)


INTERNAL_ERROR_PAGE = """<!doctype html><html lang="pt-BR"><head><meta charset="utf-8">
<title>Erro interno</title></head><body><h1>Ocorreu um erro interno</h1>
<p>Tente novamente em instantes. Se o problema continuar, informe o código {request_id}.</p>
</body></html>"""


class BodySizeLimitMiddleware:
    """Refuses bodies over the limit with 413, by Content-Length or while streaming."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            await self._too_large(scope, send)
            return
        received = 0
        response_started = False

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise _BodyTooLarge(self.max_bytes)
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal response_started
            if message["type"] == "http.response.start":
                response_started = True
            await send(message)

        try:
            await self.app(scope, limited_receive, tracking_send)
        except _BodyTooLarge:
            if not response_started:
                await self._too_large(scope, send)

    async def _too_large(self, scope: Scope, send: Send) -> None:
        await too_large(self.max_bytes)(scope, _empty_receive, send)


def too_large(max_bytes: int) -> JSONResponse:
    body = {"error": "payload_too_large", "message": f"request body exceeds {max_bytes} bytes"}
    return JSONResponse(body, status_code=413)


class _BodyTooLarge(StarletteHTTPException):
    """An HTTPException so that FastAPI's body parsing lets it through (it turns others into 400)."""

    def __init__(self, max_bytes: int) -> None:
        super().__init__(413, f"request body exceeds {max_bytes} bytes")


async def _empty_receive() -> Message:
    return {"type": "http.disconnect"}


def _validation_details(exc: RequestValidationError) -> list[dict[str, Any]]:
    return [
        {
            "field": ".".join(str(p) for p in err.get("loc", ()) if p not in ("body",)),
            "message": err.get("msg", ""),
            "type": err.get("type", ""),
        }
        for err in exc.errors()
    ]


def _bad_path(exc: RequestValidationError) -> bool:
    return any(tuple(err.get("loc", ()))[:1] == ("path",) for err in exc.errors())


def wants_html(request: Request) -> bool:
    """A browser asking for a page, or htmx asking for a piece of one (it sends `HX-Request`)."""
    if request.url.path.startswith(("/api/", "/webhooks/")):
        return False
    return "text/html" in request.headers.get("accept", "") or request.headers.get("hx-request") == "true"


def error_json(
    status: int, body: dict[str, Any], request_id: str | None, headers: Any = None
) -> JSONResponse:
    """How an API client sees an error: the body, with the request id to quote to us."""
    if request_id:
        body = {**body, "request_id": request_id}
    return JSONResponse(body, status_code=status, headers=headers)


def error_response(exc: CarinhoError, request_id: str | None) -> JSONResponse:
    return error_json(exc.status_code, exc.to_body(), request_id, exc.headers or None)


def install_error_handlers(app: FastAPI, html: HtmlErrorRenderer | None = None) -> None:
    """One handler for everything: clear JSON (or an HTML page for the UI), never a stack trace."""

    async def respond(request: Request, status: int, body: dict[str, Any], headers: Any = None) -> Any:
        if html is not None and wants_html(request):
            return await html(request, status, body.get("message", ""))
        return error_json(status, body, getattr(request.state, "request_id", None), headers)

    @app.exception_handler(CarinhoError)
    async def carinho_error(request: Request, exc: CarinhoError) -> Any:
        # The services' messages are written for people (pt-BR), accented or not: a page shows them.
        request.state.error_message_for_people = True
        return await respond(request, exc.status_code, exc.to_body(), exc.headers or None)

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> Any:
        if html is not None and wants_html(request) and _bad_path(exc):
            # A page's address with an id that cannot exist (kit/ids.py): the page is not found.
            return await html(request, 404, "")
        body = {
            "error": "validation_error",
            "message": "the request has invalid fields",
            "details": _validation_details(exc),
        }
        return await respond(request, 422, body)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Any:
        if exc.status_code == 400 and exc.detail == FASTAPI_UNPARSABLE_BODY:
            # A body that is not UTF-8 JSON: the same 422 as any other invalid JSON body.
            body = {"error": "validation_error", "message": "the body is not valid JSON", "details": []}
            return await respond(request, 422, body)
        code = {404: "not_found", 405: "method_not_allowed", 413: "payload_too_large"}.get(
            exc.status_code, "http_error"
        )
        return await respond(
            request, exc.status_code, {"error": code, "message": str(exc.detail)}, exc.headers
        )


def add_common_middleware(app: FastAPI, max_body_bytes: int) -> None:
    app.add_middleware(BodySizeLimitMiddleware, max_bytes=max_body_bytes)
    app.add_middleware(RequestIdMiddleware)
