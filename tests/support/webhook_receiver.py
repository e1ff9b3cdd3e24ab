"""A real HTTP target for outbound webhooks: records every request (raw bytes and headers) and
answers what the test planned (fail N times, 410, 429 + Retry-After, ...), then 200.

It runs uvicorn on a free 127.0.0.1 port in a thread of its own, so it works for jobs drained in
the test's loop and for worker subprocesses alike. Like a well-behaved consumer, it treats a
repeated `Idempotency-Key` as a duplicate (answers 200 again, records it as such).
"""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route


@dataclass(frozen=True)
class Reply:
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b'{"ok":true}'
    delay_seconds: float = 0  # a slow target: answers this long after the request arrived


@dataclass(frozen=True)
class Received:
    path: str
    headers: dict[str, str]
    body: bytes
    status: int
    duplicate: bool

    @property
    def idempotency_key(self) -> str | None:
        return self.headers.get("idempotency-key")


class WebhookReceiver:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._plans: dict[str, deque[Reply]] = {}
        self._received: list[Received] = []
        self._accepted_keys: set[tuple[str, str]] = set()
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._sock.bind(("127.0.0.1", 0))
        self.port = self._sock.getsockname()[1]
        app = Starlette(routes=[Route("/{path:path}", self._handle, methods=["POST", "PUT"])])
        self._server = uvicorn.Server(
            uvicorn.Config(app, log_config=None, access_log=False, lifespan="off", timeout_keep_alive=30)
        )
        self._thread = threading.Thread(
            target=self._server.run, kwargs={"sockets": [self._sock]}, daemon=True
        )

    def url(self, path: str = "hook") -> str:
        return f"http://127.0.0.1:{self.port}/{path.lstrip('/')}"

    def plan(self, path: str, *replies: Reply) -> None:
        """The next requests to `path` get these replies, in order; then 200."""
        with self._lock:
            self._plans.setdefault("/" + path.lstrip("/"), deque()).extend(replies)

    def received(self, path: str | None = None) -> list[Received]:
        with self._lock:
            items = list(self._received)
        return [r for r in items if path is None or r.path == "/" + path.lstrip("/")]

    def accepted(self, path: str | None = None) -> list[Received]:
        """Requests answered 2xx that were not duplicates: what the consumer acted upon."""
        return [r for r in self.received(path) if 200 <= r.status < 300 and not r.duplicate]

    async def _handle(self, request: Request) -> Response:
        body = await request.body()
        path = request.url.path
        headers = {k.lower(): v for k, v in request.headers.items()}
        key = headers.get("idempotency-key", "")
        with self._lock:
            queue = self._plans.get(path)
            reply = queue.popleft() if queue else Reply()
            duplicate = False
            if 200 <= reply.status < 300 and key:
                duplicate = (path, key) in self._accepted_keys
                self._accepted_keys.add((path, key))
            self._received.append(Received(path, headers, body, reply.status, duplicate))
        if reply.delay_seconds:
            await asyncio.sleep(reply.delay_seconds)
        return Response(
            reply.body, status_code=reply.status, headers=reply.headers, media_type="application/json"
        )

    def start(self) -> None:
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError("the webhook receiver did not start")
            time.sleep(0.01)

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=10)
        self._sock.close()


@contextmanager
def running_receiver() -> Iterator[WebhookReceiver]:
    receiver = WebhookReceiver()
    receiver.start()
    try:
        yield receiver
    finally:
        receiver.stop()


def wait_until(condition: Callable[[], bool], timeout: float, what: str, interval: float = 0.05) -> None:
    """Poll `condition` until it holds; fail with `what` after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f}s waiting for: {what}")
        time.sleep(interval)
