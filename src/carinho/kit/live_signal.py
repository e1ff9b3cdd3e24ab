"""Server-sent `change` events from a cheap polled fingerprint of some state.

A page that shows a summary of a database (the hub console's overview, lists) needs no feed of what
changed: it only needs to know *that* something did, to fetch itself again. One `PolledSignal` per
app computes the fingerprint (a few index lookups: max ids, counts) at most once per `interval`
however many streams are open, and each stream sends `event: change` when the fingerprint it last
saw has moved. The kit's carinho.js turns `change` into the htmx trigger `carinho-live` on <body>.

What a stream sends (https://html.spec.whatwg.org/multipage/server-sent-events.html):

- On connect: `retry: 2000`, `id: <version>`, `event: ready` (the stream's baseline is taken).
- `event: change` with `id: <version>` and `data: {"version": n}` when the state moved.
- `: heartbeat` comments after 15 s of silence (proxies keep the connection).
- It ends after an hour; the browser reconnects (and so re-authenticates).
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncGenerator, Awaitable, Callable, Hashable

import structlog

log = structlog.get_logger(__name__)

# Every server-sent stream of both apps: a comment after this much silence (proxies keep the
# connection), an end after an hour (the browser's EventSource reconnects, so re-authenticates: a
# revoked or expired session stops receiving within the hour), and the reconnection delay asked for.
HEARTBEAT_SECONDS = 15.0
MAX_STREAM_SECONDS = 3600.0
RETRY_MS = 2000


class PolledSignal:
    def __init__(
        self,
        compute: Callable[[], Awaitable[Hashable]],
        *,
        interval: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.compute = compute
        self.interval = interval
        # Tests pass a clock they move by hand (and a sleep that moves it).
        self.clock = clock
        self.sleep = sleep
        self.computations = 0
        self.version = 0
        self._value: Hashable = None
        self._computed_at: float | None = None
        self._lock = asyncio.Lock()

    async def current(self) -> int:
        """The state's version: bumped each time a computation finds the fingerprint moved. Computed
        again only when the last computation is `interval` old."""
        async with self._lock:
            if self._computed_at is not None and self.clock() - self._computed_at < self.interval:
                return self.version
            value = await self.compute()
            self.computations += 1
            self._computed_at = self.clock()
            if self.computations == 1 or value != self._value:
                self._value = value
                self.version += 1
            return self.version


def _event(version: int, name: str) -> str:
    return f"id: {version}\nevent: {name}\ndata: {json.dumps({'version': version})}\n\n"


async def change_events(
    signal: PolledSignal,
    *,
    heartbeat: float = HEARTBEAT_SECONDS,
    lifetime: float = MAX_STREAM_SECONDS,
) -> AsyncGenerator[str]:
    """The events of one stream. Ends when the client goes away (Starlette cancels the generator)
    or after `lifetime` seconds."""
    clock = signal.clock
    end = clock() + lifetime
    seen = await signal.current()
    yield f"retry: {RETRY_MS}\n" + _event(seen, "ready")
    last_write = clock()
    while clock() < end:
        await signal.sleep(max(min(signal.interval, end - clock()), 0))
        try:
            version = await signal.current()
        except Exception:
            log.warning("live_signal.compute_failed", exc_info=True)
            version = seen
        if version != seen:
            seen = version
            last_write = clock()
            yield _event(version, "change")
        elif clock() - last_write >= heartbeat:
            last_write = clock()
            yield ": heartbeat\n\n"
