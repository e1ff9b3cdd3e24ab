"""Receiving one inbound webhook, whatever carries the request to us: authenticate, validate, store.

Two transports call it: the fast ingest's gateway (`kit/fast_ingest/gateway.py`, the lane these POSTs
take in the hub's app, through `gateway_handlers`) and the FastAPI routes (`endpoints.py`, the
documented interface, serving any app without the gateway, and the hub's with INGEST_FAST_PATH=false).
Both answer with `answer_body()`.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

from fastapi.responses import JSONResponse
from starlette.applications import Starlette
from starlette.datastructures import QueryParams

from carinho.integracoes.events.ingest import ingest
from carinho.integracoes.events.service import IngestResult
from carinho.integracoes.webhooks.metrics import accepted_counter
from carinho.integracoes.webhooks.service import webhook_service
from carinho.integracoes.webhooks.sources import SYSTEM_WEBHOOKS, ZAPI_SOURCE, SystemWebhook
from carinho.kit.fast_ingest.gateway import FastRequest, Handler
from carinho.runtime import Runtime

ZAPI_PATH = "/webhooks/whatsapp"


@dataclass(slots=True)
class InboundWebhook:
    body: bytes  # the exact bytes received: signatures are checked on them
    headers: Mapping[str, str]  # case-insensitive
    token: str | None  # Z-API's `?token=`
    request_id: str | None


@dataclass(frozen=True)
class Receiver:
    source: str
    receive: Callable[[Runtime, InboundWebhook], Awaitable[IngestResult]]


def _system_receiver(hook: SystemWebhook) -> Receiver:
    async def receive(rt: Runtime, inbound: InboundWebhook) -> IngestResult:
        webhook_service.authenticate_system(rt.settings, hook, inbound.body, inbound.headers)
        data = webhook_service.parse_json(inbound.body, inbound.headers.get("content-type"))
        event = webhook_service.system_event(hook, data, inbound.headers, inbound.body, inbound.request_id)
        return await ingest(rt, event)

    return Receiver(hook.source, receive)


async def _receive_zapi(rt: Runtime, inbound: InboundWebhook) -> IngestResult:
    webhook_service.authenticate_zapi(rt.settings, inbound.body, inbound.headers, inbound.token)
    data = webhook_service.parse_json(inbound.body, inbound.headers.get("content-type"))
    event = webhook_service.zapi_event(rt.settings, data, inbound.headers, inbound.body, inbound.request_id)
    return await ingest(rt, event)


RECEIVERS: dict[str, Receiver] = {hook.path: _system_receiver(hook) for hook in SYSTEM_WEBHOOKS} | {
    ZAPI_PATH: Receiver(ZAPI_SOURCE, _receive_zapi)
}


def answer_body(source: str, result: IngestResult) -> tuple[int, dict[str, Any]]:
    """Status and body (an `IngestResponse`) of an accepted webhook; counts it."""
    accepted_counter(source, "duplicate" if result.duplicate else "new").inc()
    body = {"event_id": result.event_id, "status": result.status, "duplicate": result.duplicate}
    return (200 if result.duplicate else 202), body


def answer(source: str, result: IngestResult) -> JSONResponse:
    status, body = answer_body(source, result)
    return JSONResponse(body, status_code=status)


def gateway_handlers(app: Starlette) -> dict[str, Handler]:
    """The fast lane's handler of each webhook path (the receiver looked up at each request), on the
    app's runtime at each request (`app.state.runtime`), as the FastAPI routes are."""

    async def handle(request: FastRequest) -> tuple[int, bytes]:
        receiver = RECEIVERS[request.path]
        token = QueryParams(request.query_string).get("token") if request.path == ZAPI_PATH else None
        inbound = InboundWebhook(request.body, request.headers, token, request.request_id)
        status, body = answer_body(receiver.source, await receiver.receive(app.state.runtime, inbound))
        return status, answer_json(body)

    return dict.fromkeys(RECEIVERS, handle)


def answer_json(answer: dict[str, Any]) -> bytes:
    """`answer_body()`'s body as JSON, byte for byte what JSONResponse writes, written directly: json's
    encoder cost ~1.5 µs of it, a percent of a webhook's time."""
    duplicate = "true" if answer["duplicate"] else "false"
    status = _json_string(answer["status"])
    return f'{{"event_id":{int(answer["event_id"])},"status":{status},"duplicate":{duplicate}}}'.encode()


@functools.lru_cache(maxsize=64)  # an event status: a handful of values
def _json_string(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)
