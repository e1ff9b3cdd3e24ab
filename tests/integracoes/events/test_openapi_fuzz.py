"""Schemathesis over the hub's /openapi.json: generated requests (valid and invalid) never get a 5xx.

Cases are generated first (hypothesis, bounded) and then sent through the in-process ASGI client in the
test's own event loop, with a valid API key so the authenticated endpoints are exercised past the auth.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis.generation import GenerationMode
from schemathesis.generation.case import Case

from carinho import runtime
from carinho.config import Settings
from carinho.integracoes.app import create_app
from carinho.runtime import Runtime
from tests.conftest import asgi_client
from tests.integracoes.events.test_events_api import new_key

EXAMPLES_PER_OPERATION = 4


@pytest.fixture
async def fuzz_hub(settings: Settings, rt: Runtime) -> AsyncIterator[tuple[httpx.AsyncClient, str]]:
    configured = runtime.configure(settings.with_overrides(api_rate_limit_per_minute=100_000))
    key = await new_key(configured)
    async with asgi_client(create_app(configured), "http://integracoes.test") as client:
        yield client, key
    for db in configured.databases.values():
        await db.dispose()


def generate(operation: Any, mode: GenerationMode) -> list[Case]:
    cases: list[Case] = []

    @given(operation.as_strategy(generation_mode=mode))
    @settings(
        max_examples=EXAMPLES_PER_OPERATION,
        database=None,
        deadline=None,
        derandomize=True,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    def collect(case: Case) -> None:
        cases.append(case)

    # Unsatisfiable: e.g. no invalid request exists for an operation without inputs.
    with contextlib.suppress(Unsatisfiable):
        collect()
    return cases


def as_httpx(case: Case, api_key: str) -> dict[str, Any]:
    kwargs = case.as_transport_kwargs(base_url="http://integracoes.test", headers={"X-API-Key": api_key})
    request: dict[str, Any] = {
        "method": kwargs["method"],
        "url": kwargs["url"],
        "headers": {k: str(v) for k, v in (kwargs.get("headers") or {}).items()},
        "params": kwargs.get("params"),
    }
    if "json" in kwargs:
        request["json"] = kwargs["json"]
    elif kwargs.get("data") is not None:
        data = kwargs["data"]
        request["content"] = data if isinstance(data, bytes | str) else str(data)
    return request


_generated: dict[str, list[Case]] = {}


def cases_for(document: dict[str, Any]) -> list[Case]:
    """Generated once per schema and reused on every backend (generation is the slow part)."""
    fingerprint = json.dumps(document, sort_keys=True)
    if fingerprint not in _generated:
        schema = schemathesis.openapi.from_dict(document)
        _generated[fingerprint] = [
            case
            for result in schema.get_all_operations()
            for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)
            for case in generate(result.ok(), mode)
        ]
    return _generated[fingerprint]


async def test_no_server_errors(fuzz_hub: tuple[httpx.AsyncClient, str]) -> None:
    client, api_key = fuzz_hub
    document = (await client.get("/openapi.json")).json()
    failures: list[str] = []
    sent = 0
    for case in cases_for(document):
        request = as_httpx(case, api_key)
        try:
            response = await client.request(**request)
        except (httpx.InvalidURL, UnicodeEncodeError):
            continue  # not representable as an HTTP request at all
        except Exception as exc:  # the app raised: it answered 500
            failures.append(f"{type(exc).__name__}: {exc} <- {case.as_curl_command()}")
            continue
        sent += 1
        if response.status_code >= 500:
            failures.append(f"{response.status_code} {case.as_curl_command()}")
    assert sent >= 50  # the generator produced real requests (4 per operation and mode)
    assert failures == []
