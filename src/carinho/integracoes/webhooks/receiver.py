"""Receiving one inbound webhook, whatever carries the request to us: authenticate, validate, store.

Two transports call it: the hub's gateway (`gateway.py`, the fast lane these POSTs take in the hub's
app) and the FastAPI routes (`endpoints.py`, the documented interface, serving any app without the
gateway). Both answer with `answer_body()`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

from fastapi.responses import JSONResponse

from carinho.integracoes.events.ingest import ingest
from carinho.integracoes.events.service import IngestResult
from carinho.integracoes.webhooks.metrics import accepted_counter
from carinho.integracoes.webhooks.service import webhook_service
from carinho.integracoes.webhooks.sources import SYSTEM_WEBHOOKS, ZAPI_SOURCE, SystemWebhook
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
