"""Helpers for the hub's inbound tests: signed requests and what got stored."""

from __future__ import annotations

import json
from typing import Any

import httpx
from sqlalchemy import select

from carinho.integracoes.events.models import IntegrationEvent
from carinho.integracoes.flows.registry import PROCESS_EVENT_JOB
from carinho.kit import signatures
from carinho.runtime import Runtime
from carinho.worker import Lane, job
from carinho.worker.jobs import registered_jobs

ZAPI_SECRET = "test-zapi-secret"


def ensure_process_event_job() -> None:
    """The processing side registers `integracoes.process_event`; these tests only check that the
    webhook wrote its outbox row, so until that module is loaded a no-op stands in for it."""
    if PROCESS_EVENT_JOB in registered_jobs():
        return

    @job(PROCESS_EVENT_JOB, context="integracoes", lane=Lane.integrations)
    async def _not_run_by_these_tests(session: Any, **_: Any) -> None:
        return None


def php_json(data: Any) -> bytes:
    """What PHP's json_encode produces: `/` escaped as `\\/`, non-ASCII as `\\uXXXX`."""
    return json.dumps(data, ensure_ascii=True, separators=(",", ":")).replace("/", "\\/").encode()


def spatie_headers(secret: str, body: bytes, **extra: str) -> dict[str, str]:
    return {"Content-Type": "application/json", "Signature": signatures.hmac_hex(secret, body), **extra}


def standard_headers(secret: str, body: bytes, msg_id: str) -> dict[str, str]:
    signed = signatures.sign_outbound(secret, msg_id, body)
    return {"Content-Type": "application/json", **{k: v for k, v in signed.items() if k != "Signature"}}


async def post_signed(
    client: httpx.AsyncClient, path: str, secret: str, data: Any, **headers: str
) -> httpx.Response:
    body = php_json(data)
    return await client.post(path, content=body, headers=spatie_headers(secret, body, **headers))


async def post_zapi(client: httpx.AsyncClient, data: Any, **headers: str) -> httpx.Response:
    body = json.dumps(data).encode()
    return await client.post(
        "/webhooks/whatsapp",
        params={"token": ZAPI_SECRET},
        content=body,
        headers={"Content-Type": "application/json", **headers},
    )


async def stored_events(rt: Runtime) -> list[IntegrationEvent]:
    async with rt.db("integracoes").session() as session:
        return list((await session.execute(select(IntegrationEvent).order_by(IntegrationEvent.id))).scalars())


async def outbox_args(rt: Runtime) -> list[tuple[str, str, dict[str, Any]]]:
    model = rt.spec("integracoes").outbox
    async with rt.db("integracoes").session() as session:
        rows = (await session.execute(select(model).order_by(model.id))).scalars()
        return [(row.job, row.lane, dict(row.args)) for row in rows]
