"""An httpx transport that streams an ASGI app's response as it is produced, and a reader of
server-sent events.

httpx's own ASGITransport waits for the whole body, which never comes for server-sent events. This
one runs the app in a task, hands each body chunk to the reader as it is sent, and tells the app
`http.disconnect` when the reader closes the response, like a browser that goes away.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import httpx


class _Body(httpx.AsyncByteStream):
    def __init__(
        self, chunks: asyncio.Queue[bytes | None], gone: asyncio.Event, app: asyncio.Task[None]
    ) -> None:
        self.chunks = chunks
        self.gone = gone
        self.app = app

    async def __aiter__(self) -> AsyncIterator[bytes]:
        while (chunk := await self.chunks.get()) is not None:
            yield chunk

    async def aclose(self) -> None:
        self.gone.set()
        await self.app  # the app must finish on its own once the client is gone


class StreamingASGITransport(httpx.AsyncBaseTransport):
    def __init__(self, app: Any) -> None:
        self.app = app
        self.tasks: list[asyncio.Task[None]] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        body = await request.aread()
        scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": request.method,
            "headers": [(k.lower(), v) for (k, v) in request.headers.raw],
            "scheme": request.url.scheme,
            "path": request.url.path,
            "raw_path": request.url.raw_path.split(b"?")[0],
            "query_string": request.url.query,
            "server": (request.url.host, request.url.port),
            "client": ("127.0.0.1", 12345),
            "root_path": "",
        }
        chunks: asyncio.Queue[bytes | None] = asyncio.Queue()
        started: asyncio.Future[tuple[int, list[tuple[bytes, bytes]]]] = (
            asyncio.get_running_loop().create_future()
        )
        gone = asyncio.Event()
        sent_request = False

        async def receive() -> dict[str, Any]:
            nonlocal sent_request
            if not sent_request:
                sent_request = True
                return {"type": "http.request", "body": body, "more_body": False}
            await gone.wait()
            return {"type": "http.disconnect"}

        async def send(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                started.set_result((message["status"], message.get("headers", [])))
            elif message["type"] == "http.response.body":
                if message.get("body"):
                    await chunks.put(message["body"])
                if not message.get("more_body", False):
                    await chunks.put(None)

        async def run() -> None:
            try:
                await self.app(scope, receive, send)
            finally:
                await chunks.put(None)
                if not started.done():
                    started.set_exception(RuntimeError("the app answered nothing"))

        task = asyncio.create_task(run())
        self.tasks.append(task)
        status, headers = await started
        return httpx.Response(status, headers=headers, stream=_Body(chunks, gone, task))


async def read_events(lines: AsyncIterator[str], count: int) -> tuple[list[dict[str, str]], list[str]]:
    """The next `count` events (field -> value) and the comment lines seen meanwhile."""
    events: list[dict[str, str]] = []
    comments: list[str] = []
    current: dict[str, str] = {}
    async for line in lines:
        if line == "":
            if current:
                events.append(current)
                current = {}
                if len(events) == count:
                    break
            continue
        if line.startswith(":"):
            comments.append(line[1:].strip())
            continue
        field, _, value = line.partition(":")
        current[field] = value[1:] if value.startswith(" ") else value
    return events, comments


class ManualClock:
    """The feed's monotonic clock, standing still until the test moves it: a stream's snapshots
    then follow the test's steps, not how fast a loaded machine runs it."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds

    async def sleep(self, seconds: float) -> None:
        """For a stream driven directly: waiting moves the clock instead of the test waiting."""
        self.advance(seconds)
        await asyncio.sleep(0)
