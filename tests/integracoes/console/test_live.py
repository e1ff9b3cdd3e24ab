"""GET /painel/ao-vivo: the console's server-sent events. A stream read as a browser would (through
a streaming transport) hears `change` once a webhook is stored; any operator may listen, nobody
else; the state's fingerprint moves on every backend."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx

from carinho.integracoes.app import create_app
from carinho.integracoes.console.live import hub_signal
from carinho.integracoes.ops.repository import OpsRepository
from carinho.runtime import Runtime
from tests.integracoes.console.conftest import MakeOperator
from tests.integracoes.processing import auth, submit_event
from tests.support.sse import StreamingASGITransport, read_events

__all__ = ["auth"]


@asynccontextmanager
async def console_stream(rt: Runtime, cookies: httpx.Cookies) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(rt)
    # Polled often, so that the test reads the change soon; it waits for it, never for a time.
    app.state.console_signal = hub_signal(rt, interval=0.05)
    transport = StreamingASGITransport(app)
    async with httpx.AsyncClient(
        transport=transport, base_url="http://integracoes.test", cookies=cookies
    ) as client:
        yield client
    assert all(task.done() and task.exception() is None for task in transport.tasks)


async def test_a_stored_webhook_is_heard_as_a_change(
    rt: Runtime, make_operator: MakeOperator, hub: httpx.AsyncClient, auth: dict[str, str]
) -> None:
    viewer = await make_operator()  # the least role: reading is all the stream gives
    async with (
        console_stream(rt, viewer.client.cookies) as client,
        client.stream("GET", "/painel/ao-vivo") as response,
    ):
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        lines = response.aiter_lines()
        (ready,), _ = await read_events(lines, 1)
        assert (ready["event"], ready["retry"]) == ("ready", "2000")

        await submit_event(hub, auth, source="site")
        (change,), _ = await read_events(lines, 1)
        assert change["event"] == "change" and int(change["id"]) > int(ready["id"])


async def test_only_a_signed_in_operator_may_listen(rt: Runtime, make_operator: MakeOperator) -> None:
    async with console_stream(rt, httpx.Cookies()) as client:
        response = await client.get("/painel/ao-vivo")
        assert response.status_code in (303, 401)
        assert not response.headers.get("content-type", "").startswith("text/event-stream")
    assert "carinho-live from:body" in (await (await make_operator()).page("/painel")).text
    layout = (await (await make_operator()).page("/eventos")).text
    assert 'data-live="/painel/ao-vivo"' in layout  # every console page listens


async def test_the_fingerprint_moves_with_the_hub(
    rt: Runtime, hub: httpx.AsyncClient, auth: dict[str, str]
) -> None:
    async def fingerprint() -> tuple[object, ...]:
        async with rt.db("integracoes").session() as session:
            return await OpsRepository(session).state_fingerprint()

    empty = await fingerprint()
    assert await fingerprint() == empty
    await submit_event(hub, auth, source="site")
    stored = await fingerprint()
    assert stored != empty and stored[0] is not None  # the new event's id
