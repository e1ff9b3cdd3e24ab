"""Schemathesis over the hub's /openapi.json: generated requests (valid and invalid) never get a 5xx,
with a valid API key so the authenticated endpoints are exercised past the auth."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from carinho import runtime
from carinho.config import Settings
from carinho.integracoes.app import create_app
from carinho.runtime import Runtime
from tests.conftest import asgi_client
from tests.integracoes.events.test_events_api import new_key
from tests.support.fuzz import send_cases

pytestmark = pytest.mark.slow


@pytest.fixture
async def fuzz_hub(settings: Settings, rt: Runtime) -> AsyncIterator[tuple[httpx.AsyncClient, str]]:
    configured = runtime.configure(settings.with_overrides(api_rate_limit_per_minute=100_000))
    key = await new_key(configured)
    async with asgi_client(create_app(configured), "http://integracoes.test") as client:
        yield client, key
    for db in configured.databases.values():
        await db.dispose()


async def test_no_server_errors(fuzz_hub: tuple[httpx.AsyncClient, str]) -> None:
    client, api_key = fuzz_hub
    document = (await client.get("/openapi.json")).json()
    sent, failures = await send_cases(client, document, {"X-API-Key": api_key})
    assert sent >= 50  # the generator produced real requests (CARINHO_FUZZ_EXAMPLES per operation and mode)
    assert failures == []
