"""Helpers for the processing-side tests (flows, deliveries, endpoints, DLQ): an API key, a real
HTTP receiver, endpoints and events created through the API, and what got stored."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import pytest
from sqlalchemy import event, select

from carinho.integracoes.apikeys.service import api_key_service
from carinho.integracoes.deliveries.models import Delivery, DeliveryAttempt
from carinho.integracoes.dlq.models import DeadLetter
from carinho.integracoes.events.ingest import ingest
from carinho.integracoes.events.models import IntegrationEvent
from carinho.integracoes.events.service import NewEvent
from carinho.integracoes.flows.models import EventStep
from carinho.integracoes.webhook_endpoints.models import WebhookEndpoint
from carinho.runtime import Runtime
from tests.integracoes.delivery_only import DELIVERY_ONLY
from tests.support.webhook_receiver import WebhookReceiver, running_receiver


@pytest.fixture(scope="session")
def receiver() -> Iterator[WebhookReceiver]:
    with running_receiver() as started:
        yield started


@pytest.fixture
def hook(receiver: WebhookReceiver) -> str:
    """A path of the receiver no other test uses."""
    return f"hook-{uuid.uuid4().hex[:12]}"


@pytest.fixture
async def auth(rt: Runtime) -> AsyncIterator[dict[str, str]]:
    async with rt.db("integracoes").session() as session:
        _, plaintext = await api_key_service.create(session, "processing tests")
        await session.commit()
    yield {"X-API-Key": plaintext}


async def create_endpoint(
    hub: httpx.AsyncClient, auth: dict[str, str], url: str, **fields: Any
) -> dict[str, Any]:
    body = {"url": url, "target_system": "crm", "event_types": [], "description": "tests", **fields}
    response = await hub.post("/api/endpoints", json=body, headers=auth)
    assert response.status_code == 201, response.text
    return dict(response.json())


async def submit_event(
    hub: httpx.AsyncClient,
    auth: dict[str, str],
    event_type: str = DELIVERY_ONLY,
    payload: dict[str, Any] | None = None,
    source: str = "crm",
) -> int:
    """Store an event as the inbound side does (event and processing job in one commit)."""
    rt: Runtime = hub._transport.app.state.runtime  # type: ignore[attr-defined]
    result = await ingest(
        rt,
        NewEvent(
            source=source,
            event_type=event_type,
            idempotency_key=uuid.uuid4().hex,
            payload=payload if payload is not None else {"n": uuid.uuid4().hex},
        ),
    )
    assert not result.duplicate
    return result.event_id


async def _all(rt: Runtime, stmt: Any) -> list[Any]:
    async with rt.db("integracoes").session() as session:
        return list((await session.execute(stmt)).scalars())


async def event_row(rt: Runtime, event_id: int) -> IntegrationEvent:
    async with rt.db("integracoes").session() as session:
        event = await session.get(IntegrationEvent, event_id)
        assert event is not None
        return event


async def steps_of(rt: Runtime, event_id: int) -> list[EventStep]:
    return await _all(
        rt, select(EventStep).where(EventStep.event_id == event_id).order_by(EventStep.position)
    )


async def deliveries_of(rt: Runtime, event_id: int) -> list[Delivery]:
    return await _all(rt, select(Delivery).where(Delivery.event_id == event_id).order_by(Delivery.id))


async def attempts_of(rt: Runtime, delivery_id: int) -> list[DeliveryAttempt]:
    return await _all(
        rt,
        select(DeliveryAttempt)
        .where(DeliveryAttempt.delivery_id == delivery_id)
        .order_by(DeliveryAttempt.number),
    )


async def dead_letters(rt: Runtime) -> list[DeadLetter]:
    return await _all(rt, select(DeadLetter).order_by(DeadLetter.id))


async def endpoint_row(rt: Runtime, endpoint_id: int) -> WebhookEndpoint:
    async with rt.db("integracoes").session() as session:
        endpoint = await session.get(WebhookEndpoint, endpoint_id)
        assert endpoint is not None
        return endpoint


@contextmanager
def statements(rt: Runtime) -> Iterator[list[str]]:
    """Every statement the hub's database runs meanwhile (SAVEPOINTs included)."""
    seen: list[str] = []
    engine = rt.db("integracoes").engine.sync_engine

    def record(conn: Any, cursor: Any, sql: str, *_: Any) -> None:
        seen.append(" ".join(sql.split()))

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)
