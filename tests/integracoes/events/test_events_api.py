"""`/api/events`: authentication, submit, list with filters and cursor, detail, stats."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import event, select

from carinho.integracoes.apikeys.service import api_key_service
from carinho.integracoes.events.models import IntegrationEvent
from carinho.integracoes.flows.registry import PROCESS_EVENT_JOB
from carinho.kit import clock
from carinho.runtime import Runtime
from tests.integracoes.webhooks.support import outbox_args, stored_events


async def new_key(rt: Runtime, name: str = "tests") -> str:
    async with rt.db("integracoes").session() as session:
        _, plaintext = await api_key_service.create(session, name)
        await session.commit()
    return plaintext


@pytest.fixture
async def auth(rt: Runtime) -> dict[str, str]:
    return {"X-API-Key": await new_key(rt)}


async def submit(hub: httpx.AsyncClient, auth: dict[str, str], **body: object) -> httpx.Response:
    return await hub.post("/api/events", json=body, headers=auth)


@pytest.mark.parametrize(
    ("method", "path"),
    [("GET", "/api/events"), ("POST", "/api/events"), ("GET", "/api/events/stats"), ("GET", "/api/events/1")],
)
async def test_api_key_is_required(hub: httpx.AsyncClient, rt: Runtime, method: str, path: str) -> None:
    missing = await hub.request(method, path)
    wrong = await hub.request(method, path, headers={"X-API-Key": "ck_abc_def"})
    assert (missing.status_code, wrong.status_code) == (401, 401)
    assert missing.json()["error"] == "unauthorized"


async def test_revoked_key_is_refused(hub: httpx.AsyncClient, rt: Runtime, auth: dict[str, str]) -> None:
    async with rt.db("integracoes").session() as session:
        await api_key_service.revoke(session, auth["X-API-Key"])
        await session.commit()
    assert (await hub.get("/api/events", headers=auth)).status_code == 401


async def test_post_event_then_duplicate(hub: httpx.AsyncClient, rt: Runtime, auth: dict[str, str]) -> None:
    created = await submit(
        hub,
        auth,
        source="crm",
        type="client.registered",
        payload={"client_id": 5, "name": " Ana  Lima "},
        idempotency_key="crm-5",
    )
    again = await submit(
        hub,
        auth,
        source="crm",
        type="client.registered",
        payload={"client_id": 5, "name": "X"},
        idempotency_key="crm-5",
    )

    assert created.status_code == 202, created.text
    assert created.json()["duplicate"] is False
    assert again.status_code == 200
    assert again.json() == {"event_id": created.json()["event_id"], "status": "received", "duplicate": True}
    [event] = await stored_events(rt)
    assert (event.source, event.event_type, event.idempotency_key) == ("crm", "client.registered", "crm-5")
    assert await outbox_args(rt) == [(PROCESS_EVENT_JOB, event.lane, {"event_id": event.id})]
    detail = (await hub.get(f"/api/events/{event.id}", headers=auth)).json()
    assert detail["payload"] == {
        "client_id": "5",
        "name": "Ana Lima",
        "lead_id": None,
        "phone": None,
        "email": None,
        "city": None,
        "plan": None,
        "registered_at": None,
    }


async def test_post_event_validates_known_types_and_defaults_key(
    hub: httpx.AsyncClient, rt: Runtime, auth: dict[str, str]
) -> None:
    invalid = await submit(hub, auth, source="site", type="lead.created", payload={"name": "Ana"})
    assert invalid.status_code == 422
    assert invalid.json()["details"][0]["field"].startswith("payload")

    custom = await submit(hub, auth, source="marketing", type="campaign.sent", payload={"b": 1, "a": 2})
    same = await submit(hub, auth, source="marketing", type="campaign.sent", payload={"a": 2, "b": 1})
    assert (custom.status_code, same.status_code) == (202, 200)
    assert custom.json()["status"] == "ignored"  # no flow handles campaign.sent

    bad = await submit(hub, auth, source="Not Valid", type="x", payload=[])
    assert bad.status_code == 422
    assert {d["field"] for d in bad.json()["details"]} == {"source", "type", "payload"}


async def test_a_payload_with_a_lone_surrogate_is_422(
    hub: httpx.AsyncClient, rt: Runtime, auth: dict[str, str]
) -> None:
    body = b'{"source": "crm", "type": "client.updated", "payload": {"note": "x\\udc00"}}'
    headers = auth | {"Content-Type": "application/json"}
    response = await hub.post("/api/events", content=body, headers=headers)
    assert response.status_code == 422
    assert response.json()["details"][0]["field"] == "payload"
    assert await stored_events(rt) == []


async def test_concurrent_identical_api_submissions_make_one_event(
    hub: httpx.AsyncClient, rt: Runtime, auth: dict[str, str]
) -> None:
    body = {"source": "crm", "type": "client.registered", "payload": {"client_id": 9, "name": "Bia"}}
    responses = await asyncio.gather(*(hub.post("/api/events", json=body, headers=auth) for _ in range(20)))
    assert sorted(r.status_code for r in responses) == [200] * 19 + [202]
    assert len(await stored_events(rt)) == 1


async def test_list_filters_and_cursor(hub: httpx.AsyncClient, rt: Runtime, auth: dict[str, str]) -> None:
    for n in range(5):
        await submit(hub, auth, source="crm", type="client.registered", payload={"client_id": n, "name": "A"})
    clock.advance(timedelta(hours=2))
    for n in range(3):
        await submit(
            hub, auth, source="site", type="lead.created", payload={"name": "B", "phone": f"1191234567{n}"}
        )

    page1 = (await hub.get("/api/events", params={"limit": 3}, headers=auth)).json()
    page2 = (
        await hub.get("/api/events", params={"limit": 3, "cursor": page1["next_cursor"]}, headers=auth)
    ).json()
    page3 = (
        await hub.get("/api/events", params={"limit": 3, "cursor": page2["next_cursor"]}, headers=auth)
    ).json()
    ids = [e["id"] for e in page1["items"] + page2["items"] + page3["items"]]
    assert len(ids) == 8 and ids == sorted(ids, reverse=True)
    assert page3["next_cursor"] is None

    sites = (await hub.get("/api/events", params={"source": "site"}, headers=auth)).json()["items"]
    assert {e["type"] for e in sites} == {"lead.created"} and len(sites) == 3
    by_type = (await hub.get("/api/events", params={"type": "client.registered"}, headers=auth)).json()
    assert len(by_type["items"]) == 5
    by_status = (await hub.get("/api/events", params={"status": "received"}, headers=auth)).json()
    assert len(by_status["items"]) == 8
    cutoff = (clock.utcnow() - timedelta(hours=1)).isoformat()
    recent = (await hub.get("/api/events", params={"created_from": cutoff}, headers=auth)).json()["items"]
    older = (await hub.get("/api/events", params={"created_to": cutoff}, headers=auth)).json()["items"]
    assert (len(recent), len(older)) == (3, 5)

    bad = await hub.get("/api/events", params={"cursor": "!!!"}, headers=auth)
    assert bad.status_code == 400
    bad_status = await hub.get("/api/events", params={"status": "nope"}, headers=auth)
    assert bad_status.status_code == 422


async def test_a_period_finds_events_whose_ids_are_out_of_time_order(
    hub: httpx.AsyncClient, rt: Runtime, auth: dict[str, str]
) -> None:
    """The period search also bounds the ids (EventRepository._period_ids): an event stored later
    with an earlier creation time (a batch committed after a newer one) is still found."""
    clock.advance(timedelta(hours=3))
    newer = await submit(
        hub, auth, source="crm", type="client.registered", payload={"client_id": 1, "name": "A"}
    )
    clock.advance(timedelta(hours=-3))
    older = await submit(
        hub, auth, source="crm", type="client.registered", payload={"client_id": 2, "name": "B"}
    )
    assert older.json()["event_id"] > newer.json()["event_id"]
    cutoff = (clock.utcnow() + timedelta(hours=1)).isoformat()

    def ids(answer: httpx.Response) -> list[int]:
        return [e["id"] for e in answer.json()["items"]]

    assert ids(await hub.get("/api/events", params={"created_to": cutoff}, headers=auth)) == [
        older.json()["event_id"]
    ]
    assert ids(await hub.get("/api/events", params={"created_from": cutoff}, headers=auth)) == [
        newer.json()["event_id"]
    ]
    far = (clock.utcnow() + timedelta(days=30)).isoformat()
    assert ids(await hub.get("/api/events", params={"created_from": far}, headers=auth)) == []


async def test_detail_and_404(hub: httpx.AsyncClient, rt: Runtime, auth: dict[str, str]) -> None:
    created = await submit(hub, auth, source="operacao", type="service.completed", payload={"service_id": 3})
    event_id = created.json()["event_id"]
    detail = await hub.get(f"/api/events/{event_id}", headers=auth)
    assert detail.status_code == 200
    body = detail.json()
    assert body["type"] == "service.completed" and body["payload"]["service_id"] == "3"
    assert isinstance(body["steps"], list) and isinstance(body["deliveries"], list)
    missing = await hub.get("/api/events/999999", headers=auth)
    assert missing.status_code == 404


async def test_stats_counts_error_rate_and_latency(
    hub: httpx.AsyncClient, rt: Runtime, auth: dict[str, str]
) -> None:
    clock.advance(timedelta(hours=-3))
    await submit(hub, auth, source="crm", type="client.registered", payload={"client_id": "old", "name": "A"})
    clock.reset()
    ids = []
    for n in range(4):
        response = await submit(
            hub, auth, source="crm", type="client.registered", payload={"client_id": n, "name": "A"}
        )
        ids.append(response.json()["event_id"])
    await submit(hub, auth, source="zapi", type="whatsapp.presence", payload={"x": 1})
    # The processing side would set these; here they are set directly to check the arithmetic.
    async with rt.db("integracoes").session() as session:
        rows = (await session.execute(select(IntegrationEvent).where(IntegrationEvent.id.in_(ids)))).scalars()
        for seconds, row in zip((1, 2, 3), sorted(rows, key=lambda r: r.id), strict=False):
            row.status = "processed"
            row.processed_at = row.created_at + timedelta(seconds=seconds)
        failed = await session.get(IntegrationEvent, ids[3])
        assert failed is not None
        failed.status = "dead"
        await session.commit()

    stats = (await hub.get("/api/events/stats", headers=auth)).json()

    assert stats["by_status"] == {"processed": 3, "dead": 1, "received": 1, "ignored": 1}
    hour = stats["last_hour"]
    assert hour["total"] == 5
    assert hour["by_source"] == {"crm": 4, "zapi": 1}
    assert hour["by_type"] == {"client.registered": 4, "whatsapp.presence": 1}
    assert hour["error_rate"] == pytest.approx(1 / 5)
    assert hour["processed"] == 3
    assert hour["latency_p50_seconds"] == pytest.approx(2.0)
    assert hour["latency_p95_seconds"] == pytest.approx(3.0)
    assert stats["last_day"]["total"] == 6


async def test_stats_read_the_events_through_indexes(
    hub: httpx.AsyncClient, rt: Runtime, auth: dict[str, str]
) -> None:
    """No query of GET /api/events/stats reads the events table row by row (SQLite's plans)."""
    db = rt.db("integracoes")
    if db.backend != "sqlite":
        pytest.skip("the plans checked are SQLite's")
    statements: list[tuple[str, object]] = []

    def record(conn: Any, cursor: Any, sql: str, params: Any, context: Any, many: bool) -> None:
        if sql.lstrip().upper().startswith("SELECT") and "integration_events" in sql:
            statements.append((sql, params))

    event.listen(db.engine.sync_engine, "before_cursor_execute", record)
    try:
        assert (await hub.get("/api/events/stats", headers=auth)).status_code == 200
    finally:
        event.remove(db.engine.sync_engine, "before_cursor_execute", record)
    assert statements
    async with db.engine.connect() as connection:
        for sql, params in statements:
            plan = (await connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}", params)).all()
            details = [str(row[-1]) for row in plan]
            assert not any(d.startswith("SCAN integration_events") and "INDEX" not in d for d in details), (
                sql,
                details,
            )
