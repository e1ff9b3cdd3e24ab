"""Per-key rate limit of the hub's API: headers, the exact boundary, 429 + Retry-After, and Redis
sharing the count between processes (two apps stand in for two API processes)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from carinho import runtime
from carinho.config import Settings
from carinho.integracoes.apikeys.models import ApiKey
from carinho.integracoes.app import create_app
from carinho.kit import clock
from carinho.runtime import Runtime
from tests.conftest import asgi_client
from tests.integracoes.events.test_events_api import new_key

LIMIT = 5


@pytest.fixture
async def limited(settings: Settings, rt: Runtime) -> AsyncIterator[Runtime]:
    configured = runtime.configure(settings.with_overrides(api_rate_limit_per_minute=LIMIT))
    yield configured
    for db in configured.databases.values():
        await db.dispose()


async def assert_boundary(client: httpx.AsyncClient, headers: dict[str, str], already_used: int = 0) -> None:
    for n in range(already_used + 1, LIMIT + 1):
        response = await client.get("/api/events", headers=headers)
        assert response.status_code == 200, response.text
        assert response.headers["X-RateLimit-Limit"] == str(LIMIT)
        assert response.headers["X-RateLimit-Remaining"] == str(LIMIT - n)
        assert int(response.headers["X-RateLimit-Reset"]) >= int(clock.utcnow().timestamp())
    over = await client.get("/api/events", headers=headers)
    assert over.status_code == 429
    assert over.json()["error"] == "rate_limited"
    assert over.headers["X-RateLimit-Remaining"] == "0"
    assert 1 <= int(over.headers["Retry-After"]) <= 60


async def test_boundary_in_memory(limited: Runtime) -> None:
    key = await new_key(limited)
    other = await new_key(limited, "other")
    async with asgi_client(create_app(limited), "http://integracoes.test") as client:
        await assert_boundary(client, {"X-API-Key": key})
        # Another key has its own budget.
        assert (await client.get("/api/events", headers={"X-API-Key": other})).status_code == 200


async def test_default_limit_is_sixty(hub: httpx.AsyncClient, rt: Runtime) -> None:
    key = await new_key(rt)
    response = await hub.get("/api/events", headers={"X-API-Key": key})
    assert response.headers["X-RateLimit-Limit"] == "60"
    assert response.headers["X-RateLimit-Remaining"] == "59"


@pytest.mark.redis
async def test_boundary_shared_through_redis(
    settings: Settings, rt: Runtime, redis_url: str, redis_namespace: str
) -> None:
    shared = runtime.configure(
        settings.with_overrides(
            api_rate_limit_per_minute=LIMIT, redis_url=redis_url, redis_namespace=redis_namespace
        )
    )
    try:
        key = await new_key(shared)
        headers = {"X-API-Key": key}
        async with (
            asgi_client(create_app(shared), "http://a.test") as first,
            asgi_client(create_app(shared), "http://b.test") as second,
        ):
            for _ in range(2):
                assert (await first.get("/api/events", headers=headers)).status_code == 200
            await assert_boundary(second, headers, already_used=2)
            assert (await first.get("/api/events", headers=headers)).status_code == 429
            # both refusals counted in Redis, seen by either process (the console's "Chaves de API")
            prefix = key.split("_")[1]
            for app_client in (first, second):
                limiter = app_client._transport.app.state.api_rate_limiter  # type: ignore[attr-defined]
                assert (await limiter.refusals(prefix, 2)) == [2, 0]
    finally:
        shared.close_brokers()
        for db in shared.databases.values():
            await db.dispose()


async def test_last_used_at_is_recorded_at_most_once_a_minute(hub: httpx.AsyncClient, rt: Runtime) -> None:
    key = await new_key(rt)
    headers = {"X-API-Key": key}

    async def last_used() -> object:
        async with rt.db("integracoes").session() as session:
            from sqlalchemy import select

            return (await session.execute(select(ApiKey.last_used_at))).scalar_one()

    assert await last_used() is None
    await hub.get("/api/events", headers=headers)
    first = await last_used()
    assert first is not None
    await hub.get("/api/events", headers=headers)
    assert await last_used() == first
    from datetime import timedelta

    clock.advance(timedelta(minutes=2))
    await hub.get("/api/events", headers=headers)
    assert await last_used() != first
