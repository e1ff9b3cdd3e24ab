"""The fast ingest's gateway (the lane of `POST /webhooks/...` in the hub's app) answers exactly as the
documented FastAPI routes do, for every outcome; what it does not serve reaches FastAPI; and with
INGEST_FAST_PATH=false the routes serve the webhooks."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest
from fastapi.responses import JSONResponse
from pydantic import SecretStr

from carinho import runtime
from carinho.config import Settings
from carinho.integracoes.app import create_app
from carinho.integracoes.events.service import IngestResult
from carinho.integracoes.webhooks.endpoints import router as webhooks_router
from carinho.integracoes.webhooks.receiver import (
    RECEIVERS,
    Receiver,
    answer_body,
    answer_json,
    gateway_handlers,
)
from carinho.kit.fast_ingest import gateway
from carinho.runtime import DatabaseCache, Runtime
from carinho.service_app import create_service_app
from tests.conftest import asgi_client
from tests.integracoes.webhooks.support import ZAPI_SECRET, php_json, spatie_headers, stored_events

LEAD = "/webhooks/site/lead"


@pytest.fixture
async def routes(rt: Runtime) -> AsyncIterator[httpx.AsyncClient]:
    """The same webhooks served by FastAPI alone: an app with the router and no gateway."""
    app = create_service_app(context="integracoes", title="routes only", description="", rt=rt)
    app.include_router(webhooks_router)
    async with asgi_client(app, "http://routes.test") as client:
        yield client


Scenario = Callable[[httpx.AsyncClient, Settings, str], Any]


async def _lead(client: httpx.AsyncClient, settings: Settings, tag: str, **extra: str) -> httpx.Response:
    body = php_json({"lead_id": f"lead-{tag}", "name": "Ana Souza", "phone": "11912345678"})
    headers = spatie_headers(settings.webhook_secret("site"), body) | extra
    return await client.post(LEAD, content=body, headers=headers)


async def new_lead(client: httpx.AsyncClient, settings: Settings, tag: str) -> httpx.Response:
    return await _lead(client, settings, tag, **{"X-Request-ID": f"req-{tag}"})


async def repeated_lead(client: httpx.AsyncClient, settings: Settings, tag: str) -> httpx.Response:
    await _lead(client, settings, tag + "-dup")
    return await _lead(client, settings, tag + "-dup")


async def bad_signature(client: httpx.AsyncClient, settings: Settings, tag: str) -> httpx.Response:
    return await _lead(client, settings, tag, Signature="0" * 64, **{"X-Request-ID": "req-fixed"})


async def no_signature(client: httpx.AsyncClient, settings: Settings, tag: str) -> httpx.Response:
    return await client.post(LEAD, content=b'{"name": "Ana"}', headers={"Content-Type": "application/json"})


async def wrong_content_type(client: httpx.AsyncClient, settings: Settings, tag: str) -> httpx.Response:
    body = b'{"name": "Ana", "phone": "11912345678"}'
    headers = spatie_headers(settings.webhook_secret("site"), body) | {"Content-Type": "text/plain"}
    return await client.post(LEAD, content=body, headers=headers)


async def malformed_json(client: httpx.AsyncClient, settings: Settings, tag: str) -> httpx.Response:
    body = b'{"name": "Ana", '
    return await client.post(
        LEAD, content=body, headers=spatie_headers(settings.webhook_secret("site"), body)
    )


async def nan_in_json(client: httpx.AsyncClient, settings: Settings, tag: str) -> httpx.Response:
    body = b'{"name": "Ana", "phone": NaN}'
    return await client.post(
        LEAD, content=body, headers=spatie_headers(settings.webhook_secret("site"), body)
    )


async def schema_error(client: httpx.AsyncClient, settings: Settings, tag: str) -> httpx.Response:
    body = php_json({"phone": "123", "email": "not-an-email"})
    return await client.post(
        LEAD, content=body, headers=spatie_headers(settings.webhook_secret("site"), body)
    )


async def too_large(client: httpx.AsyncClient, settings: Settings, tag: str) -> httpx.Response:
    body = php_json({"name": "Ana", "message": "x" * (settings.carinho_max_body_bytes + 10)})
    return await client.post(
        LEAD, content=body, headers=spatie_headers(settings.webhook_secret("site"), body)
    )


async def zapi_with_token(client: httpx.AsyncClient, settings: Settings, tag: str) -> httpx.Response:
    callback = {"type": "PresenceChatCallback", "phone": "5511912345678", "status": "AVAILABLE", "id": tag}
    return await client.post(
        "/webhooks/whatsapp",
        params={"token": ZAPI_SECRET},
        content=json.dumps(callback).encode(),
        headers={"Content-Type": "application/json"},
    )


async def zapi_wrong_token(client: httpx.AsyncClient, settings: Settings, tag: str) -> httpx.Response:
    return await client.post(
        "/webhooks/whatsapp",
        params={"token": "nope"},
        content=b'{"type": "PresenceChatCallback"}',
        headers={"Content-Type": "application/json"},
    )


SCENARIOS: list[tuple[Scenario, int]] = [
    (new_lead, 202),
    (repeated_lead, 200),
    (bad_signature, 401),
    (no_signature, 401),
    (wrong_content_type, 415),
    (malformed_json, 400),
    (nan_in_json, 400),
    (schema_error, 422),
    (too_large, 413),
    (zapi_with_token, 202),
    (zapi_wrong_token, 401),
]


def _comparable(response: httpx.Response) -> tuple[int, str | None, dict[str, Any]]:
    body = response.json()
    body.pop("event_id", None)  # each transport stored its own event
    return response.status_code, response.headers.get("content-type"), body


@pytest.mark.parametrize(("scenario", "expected"), SCENARIOS, ids=[s.__name__ for s, _ in SCENARIOS])
async def test_the_gateway_answers_as_the_routes_do(
    scenario: Scenario, expected: int, hub: httpx.AsyncClient, routes: httpx.AsyncClient, settings: Settings
) -> None:
    through_gateway = await scenario(hub, settings, "g")
    through_routes = await scenario(routes, settings, "r")
    status, content_type, body = _comparable(through_gateway)
    assert status == expected
    assert (status, content_type) == _comparable(through_routes)[:2]
    if "request_id" in body and body["request_id"].startswith("req-"):
        assert body == _comparable(through_routes)[2]  # the same caller-given id on both
    else:
        body.pop("request_id", None)
        other = _comparable(through_routes)[2]
        other.pop("request_id", None)
        assert body == other
    assert through_gateway.headers["x-request-id"]


async def test_the_callers_request_id_comes_back(hub: httpx.AsyncClient, settings: Settings) -> None:
    response = await new_lead(hub, settings, "rid")
    assert response.status_code == 202
    assert response.headers["x-request-id"] == "req-rid"
    refused = await bad_signature(hub, settings, "rid")
    assert refused.json()["request_id"] == "req-fixed" == refused.headers["x-request-id"]


async def test_an_unexpected_error_is_a_clear_500(
    hub: httpx.AsyncClient, rt: Runtime, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def broken(rt: Runtime, inbound: Any) -> Any:
        raise ZeroDivisionError("a bug")

    monkeypatch.setitem(RECEIVERS, LEAD, Receiver("site", broken))
    response = await _lead(hub, settings, "boom", **{"X-Request-ID": "req-boom"})
    assert response.status_code == 500
    assert response.json() == {
        "error": "internal_error",
        "message": "an internal error occurred",
        "request_id": "req-boom",
    }
    assert await stored_events(rt) == []


async def test_other_methods_and_paths_reach_fastapi(hub: httpx.AsyncClient) -> None:
    assert (await hub.get(LEAD)).status_code == 405
    assert (await hub.post("/webhooks/unknown", content=b"{}")).status_code == 404
    assert (await hub.get("/health")).status_code == 200


def test_only_webhook_posts_take_the_gateway(rt: Runtime) -> None:
    def scope(method: str, path: str, kind: str = "http") -> dict[str, Any]:
        return {"type": kind, "method": method, "path": path}

    app = create_app(rt)
    lane = gateway.Gateway(app, gateway_handlers(app))
    assert lane.handler_for(scope("POST", LEAD)) is not None
    assert lane.handler_for(scope("POST", "/webhooks/whatsapp")) is not None
    assert set(lane.handlers) == set(RECEIVERS)
    assert lane.handler_for(scope("GET", LEAD)) is None
    assert lane.handler_for(scope("POST", "/api/events")) is None
    assert lane.handler_for({"type": "lifespan"}) is None


async def test_an_error_after_the_answer_started_is_left_to_the_server(
    hub: httpx.AsyncClient, rt: Runtime, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A second answer cannot follow a started one: the error goes up to uvicorn, which closes the
    connection (and the event stays stored: it was committed before the answer began)."""

    async def start_then_fail(status: int, body: Any, send: Any) -> None:
        await send({"type": "http.response.start", "status": status, "headers": []})
        raise ConnectionResetError("client went away")

    monkeypatch.setattr(gateway, "send_json", start_then_fail)
    with pytest.raises(ConnectionResetError):
        await _lead(hub, settings, "late")
    assert [event.idempotency_key for event in await stored_events(rt)] == ["lead.created:lead-late"]


@pytest.mark.parametrize("duplicate", [False, True])
def test_the_written_answer_is_the_bytes_jsonresponse_writes(duplicate: bool) -> None:
    _, answer = answer_body("site", IngestResult(4711, "received", duplicate=duplicate))
    assert answer_json(answer) == JSONResponse(answer).body


@pytest.mark.parametrize("fast_path", [True, False])
async def test_ingest_fast_path_setting_picks_the_gateway_or_the_routes(
    fast_path: bool, rt: Runtime, settings: Settings
) -> None:
    """INGEST_FAST_PATH=false (debugging) serves the webhooks by FastAPI's routes, with the same
    answers, each event stored in a transaction of its own."""
    rt.settings.ingest_fast_path = fast_path
    served_by_route: list[bool] = []

    class Probe:
        def __init__(self, app: Any) -> None:
            self.app = app

        async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
            await self.app(scope, receive, send)
            if scope["type"] == "http":
                served_by_route.append("endpoint" in scope)  # set by FastAPI's router only

    app = create_app(rt)
    app.add_middleware(Probe)
    async with asgi_client(app, "http://integracoes.test") as client:
        first = await new_lead(client, settings, "setting")
        again = await new_lead(client, settings, "setting")
    assert (first.status_code, again.status_code) == (202, 200)
    assert again.json()["event_id"] == first.json()["event_id"]
    assert served_by_route == [not fast_path] * 2
    assert [e.idempotency_key for e in await stored_events(rt)] == ["lead.created:lead-setting"]


async def test_the_gateway_and_the_metrics_use_the_runtime_the_app_holds_at_each_request(
    rt: Runtime, settings: Settings, shared_databases: DatabaseCache
) -> None:
    """Like every route, the gateway and the metrics scrape take `app.state.runtime` when they run, not
    the one the app was built on (the tests reuse an app across their runtimes: tests/conftest.py)."""
    refreshed: list[Runtime] = []

    async def record(current: Runtime) -> None:
        refreshed.append(current)

    app = create_app(rt)
    metrics_app = create_service_app(
        context="integracoes", title="metrics", description="", rt=rt, metrics_refresh=record
    )
    rotated = settings.with_overrides(webhook_secret_site=SecretStr("another-site-secret-" + "x" * 20))
    later = runtime.configure(rotated, databases=shared_databases)
    app.state.runtime = metrics_app.state.runtime = later
    async with asgi_client(app, "http://integracoes.test") as client:
        assert (await _lead(client, settings, "old-secret")).status_code == 401
        assert (await _lead(client, rotated, "new-secret")).status_code == 202
    async with asgi_client(metrics_app, "http://integracoes.test") as client:
        assert (await client.get("/metrics/")).status_code == 200
    assert refreshed == [later]
    assert [e.idempotency_key for e in await stored_events(later)] == ["lead.created:lead-new-secret"]
