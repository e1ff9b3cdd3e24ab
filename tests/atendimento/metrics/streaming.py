"""A streaming client of atendimento's app (the transport and the event reader: tests/support/sse.py)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx

from carinho.atendimento.app import create_app
from carinho.atendimento.metrics.stream import LiveFeed
from carinho.runtime import Runtime
from tests.support.sse import ManualClock, StreamingASGITransport, read_events

__all__ = ["ManualClock", "StreamingASGITransport", "read_events", "streaming_client"]


@asynccontextmanager
async def streaming_client(
    rt: Runtime, clock: ManualClock | None = None
) -> AsyncIterator[tuple[httpx.AsyncClient, StreamingASGITransport]]:
    app = create_app(rt)
    if clock is not None:
        app.state.metrics_feed = LiveFeed(rt.db("atendimento"), clock)
    transport = StreamingASGITransport(app)
    async with httpx.AsyncClient(transport=transport, base_url="http://atendimento.test") as client:
        client.app = app  # type: ignore[attr-defined]
        yield client, transport
