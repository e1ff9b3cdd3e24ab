"""Serve an ASGI app on a real socket inside the current event loop (tests, demos).

async with serve_app(create_app(settings)) as base_url:
    ...  # http://127.0.0.1:<free port>
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Iterator
from typing import Any

import uvicorn


class _QuietServer(uvicorn.Server):
    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


@contextlib.asynccontextmanager
async def serve_app(app: Any, host: str = "127.0.0.1", port: int = 0) -> AsyncIterator[str]:
    config = uvicorn.Config(app, host=host, port=port, log_config=None, lifespan="on", access_log=False)
    server = _QuietServer(config)
    task = asyncio.create_task(server.serve())
    try:
        async with asyncio.timeout(60):  # a busy machine (parallel test workers) starts slowly
            while not server.started:
                if task.done():
                    task.result()
                    raise RuntimeError("server stopped while starting")
                await asyncio.sleep(0.01)
        bound = server.servers[0].sockets[0].getsockname()
        yield f"http://{host}:{bound[1]}"
    finally:
        server.should_exit = True
        await asyncio.wait({task}, timeout=15)
