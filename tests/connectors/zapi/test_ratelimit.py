"""The per-instance send limit: the boundary, and sharing through Redis across clients (processes)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from carinho.connectors.errors import ConnectorPaced, ConnectorRateLimited
from carinho.connectors.zapi.client import ZapiClient
from carinho.kit import clock
from tests.sandbox.harness import RunningSandbox, revalidated

PHONE = "5511987654321"


async def test_the_limit_allows_exactly_n_sends_per_minute(sandbox: RunningSandbox) -> None:
    settings = sandbox.client_settings(zapi_send_rate_per_minute=3)
    async with ZapiClient(settings) as client:
        for _ in range(3):
            await client.send_text(PHONE, "Olá")
        with pytest.raises(ConnectorRateLimited) as caught:
            await client.send_text(PHONE, "Olá")

    assert caught.value.retryable
    assert caught.value.retry_after is not None and 0 < caught.value.retry_after <= 60
    assert len(sandbox.state.zapi.sent) == 3


async def test_the_limit_is_per_instance_and_shared_by_clients_in_a_process(sandbox: RunningSandbox) -> None:
    settings = sandbox.client_settings(zapi_send_rate_per_minute=2)
    async with ZapiClient(settings) as first, ZapiClient(settings) as second:
        await first.send_text(PHONE, "1")
        await second.send_text(PHONE, "2")
        with pytest.raises(ConnectorRateLimited):
            await first.send_text(PHONE, "3")
    other_instance = revalidated(settings, zapi_instance_id="F" * 32)
    assert await ZapiClient(other_instance).limiter.remaining() == 2


async def test_the_limit_is_shared_through_redis(
    sandbox: RunningSandbox, redis_url: str, redis_namespace: str
) -> None:
    settings = sandbox.client_settings(
        zapi_send_rate_per_minute=2,
        redis_url=redis_url,
        redis_namespace=redis_namespace,
    )
    async with ZapiClient(settings) as first, ZapiClient(settings) as second:
        await first.send_text(PHONE, "1")
        assert await second.limiter.remaining() == 1
        await second.send_text(PHONE, "2")
        with pytest.raises(ConnectorRateLimited):
            await first.send_text(PHONE, "3")
    assert len(sandbox.state.zapi.sent) == 2


async def test_the_memory_window_is_shared_by_event_loops_of_the_process(sandbox: RunningSandbox) -> None:
    """API requests and jobs run on different event loops of one process; they share the window."""
    import asyncio

    settings = sandbox.client_settings(zapi_send_rate_per_minute=2)

    async def send_from_another_loop() -> None:
        async with ZapiClient(settings) as client:
            await client.send_text(PHONE, "de outro loop")

    await asyncio.to_thread(asyncio.run, send_from_another_loop())
    async with ZapiClient(settings) as client:
        await client.send_text(PHONE, "deste loop")
        with pytest.raises(ConnectorRateLimited):
            await client.send_text(PHONE, "demais")
    assert len(sandbox.state.zapi.sent) == 2


@pytest.mark.usefixtures("still_clock")
@pytest.mark.parametrize("shared", [False, True], ids=["memory", "redis"])
async def test_a_paced_send_answers_at_once_with_its_own_slot_and_takes_it_when_due(
    sandbox: RunningSandbox, shared: bool, request: pytest.FixtureRequest
) -> None:
    """No waiting in the caller: over the limit each keyed send reserves the next slot, 60/rate s
    apart and in order, and sends when it comes back at its time; a later send queues behind."""
    overrides: dict[str, object] = {"zapi_send_rate_per_minute": 2}
    if shared:
        overrides |= {
            "redis_url": request.getfixturevalue("redis_url"),
            "redis_namespace": request.getfixturevalue("redis_namespace"),
        }
    settings = sandbox.client_settings(**overrides)
    waits: dict[str, float] = {}
    for n in range(5):
        async with ZapiClient(settings, pacing_key=f"msg-{n}") as client:
            try:
                await client.send_text(PHONE, str(n))
            except ConnectorPaced as paced:
                waits[f"msg-{n}"] = paced.retry_after or 0
    assert waits == {"msg-2": 60.0, "msg-3": 90.0, "msg-4": 120.0}
    assert len(sandbox.state.zapi.sent) == 2

    clock.advance(timedelta(seconds=60))
    async with ZapiClient(settings, pacing_key="msg-3") as early:
        with pytest.raises(ConnectorPaced) as caught:  # not its turn yet: the same slot
            await early.send_text(PHONE, "3")
    assert caught.value.retry_after == 30.0
    async with ZapiClient(settings, pacing_key="msg-2") as due:
        await due.send_text(PHONE, "2")
    async with ZapiClient(settings, pacing_key="msg-5") as newcomer:
        with pytest.raises(ConnectorPaced) as caught:  # behind the ones still waiting
            await newcomer.send_text(PHONE, "5")
    assert caught.value.retry_after == 90.0
    assert len(sandbox.state.zapi.sent) == 3
