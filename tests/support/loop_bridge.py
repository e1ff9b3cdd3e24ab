"""An ASGI app for a client that runs its apps on another event loop (schemathesis' ASGI transport
has its own, in a thread): it passes each request to an httpx client on the test's loop and answers
with what came back."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx


class LoopBridge:
    def __init__(self) -> None:
        self._client: httpx.AsyncClient | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    def target(self, client: httpx.AsyncClient, loop: asyncio.AbstractEventLoop) -> None:
        self._client, self._loop = client, loop

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":  # the real app's lifespan is the test's
            while (message := await receive())["type"] != "lifespan.shutdown":
                await send({"type": "lifespan.startup.complete"})
            await send({"type": "lifespan.shutdown.complete"})
            return
        assert self._client is not None and self._loop is not None, "target() first"
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        query = scope.get("query_string", b"").decode()
        request = self._client.build_request(
            scope["method"],
            scope["path"] + (f"?{query}" if query else ""),
            headers=[(k, v) for k, v in scope["headers"] if k.lower() != b"host"],
            content=body,
        )
        future = asyncio.run_coroutine_threadsafe(self._client.send(request), self._loop)
        response = await asyncio.wrap_future(future)
        await send(
            {"type": "http.response.start", "status": response.status_code, "headers": response.headers.raw}
        )
        await send({"type": "http.response.body", "body": response.content})
