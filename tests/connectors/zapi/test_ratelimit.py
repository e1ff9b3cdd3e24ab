"""The per-instance send limit: the boundary, and sharing through Redis across clients (processes)."""

from __future__ import annotations

import pytest

from carinho.connectors.errors import ConnectorRateLimited
from carinho.connectors.zapi.client import ZapiClient
from tests.sandbox.harness import RunningSandbox, revalidated

PHONE = "5511987654321"


async def test_the_limit_allows_exactly_n_sends_per_minute(sandbox: RunningSandbox) -> None:
    settings = sandbox.client_settings(zapi_send_rate_per_minute=3, zapi_rate_limit_wait_seconds=0)
    async with ZapiClient(settings) as client:
        for _ in range(3):
            await client.send_text(PHONE, "Olá")
        with pytest.raises(ConnectorRateLimited) as caught:
            await client.send_text(PHONE, "Olá")

    assert caught.value.retryable
    assert caught.value.retry_after is not None and 0 < caught.value.retry_after <= 60
    assert len(sandbox.state.zapi.sent) == 3


async def test_the_limit_is_per_instance_and_shared_by_clients_in_a_process(sandbox: RunningSandbox) -> None:
    settings = sandbox.client_settings(zapi_send_rate_per_minute=2, zapi_rate_limit_wait_seconds=0)
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
        zapi_rate_limit_wait_seconds=0,
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

    settings = sandbox.client_settings(zapi_send_rate_per_minute=2, zapi_rate_limit_wait_seconds=0)

    async def send_from_another_loop() -> None:
        async with ZapiClient(settings) as client:
            await client.send_text(PHONE, "de outro loop")

    await asyncio.to_thread(asyncio.run, send_from_another_loop())
    async with ZapiClient(settings) as client:
        await client.send_text(PHONE, "deste loop")
        with pytest.raises(ConnectorRateLimited):
            await client.send_text(PHONE, "demais")
    assert len(sandbox.state.zapi.sent) == 2
