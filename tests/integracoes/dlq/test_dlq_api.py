"""`/api/dlq`: list with filters and cursor, stats, single retry, archive, delete."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest

from carinho.kit import clock
from carinho.runtime import Runtime
from tests.integracoes.processing import create_endpoint, dead_letters, submit_event
from tests.support.jobs import drain
from tests.support.webhook_receiver import Reply, WebhookReceiver


@pytest.fixture
async def three_dead(
    hub: httpx.AsyncClient, rt: Runtime, auth: dict[str, str], receiver: WebhookReceiver, hook: str
) -> list[int]:
    """Three dead deliveries: the first event's to crm, an hour later the second's to crm and financeiro."""
    await create_endpoint(hub, auth, receiver.url(hook + "/crm"), retry_schedule=[])
    receiver.plan(hook + "/crm", Reply(500), Reply(500))
    await submit_event(hub, auth)
    await drain(rt)
    clock.advance(timedelta(hours=1))
    await create_endpoint(
        hub, auth, receiver.url(hook + "/fin"), target_system="financeiro", retry_schedule=[]
    )
    receiver.plan(hook + "/fin", Reply(404))
    await submit_event(hub, auth)
    await drain(rt)
    items = await dead_letters(rt)
    assert len(items) == 3
    return [i.id for i in items]


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/api/dlq"),
        ("GET", "/api/dlq/stats"),
        ("GET", "/api/dlq/1"),
        ("POST", "/api/dlq/1/retry"),
        ("POST", "/api/dlq/1/archive"),
        ("DELETE", "/api/dlq/1"),
        ("POST", "/api/dlq/retry"),
    ],
)
async def test_api_key_is_required(hub: httpx.AsyncClient, rt: Runtime, method: str, path: str) -> None:
    assert (await hub.request(method, path, json={})).status_code == 401


async def test_list_filters_and_pages(
    hub: httpx.AsyncClient, rt: Runtime, auth: dict[str, str], three_dead: list[int]
) -> None:
    first = (await hub.get("/api/dlq", params={"limit": 2}, headers=auth)).json()
    assert [i["id"] for i in first["items"]] == sorted(three_dead, reverse=True)[:2]
    rest = (
        await hub.get("/api/dlq", params={"limit": 2, "cursor": first["next_cursor"]}, headers=auth)
    ).json()
    assert [i["id"] for i in rest["items"]] == [min(three_dead)] and rest["next_cursor"] is None

    async def ids(**params: object) -> list[int]:
        response = await hub.get("/api/dlq", params=params, headers=auth)
        assert response.status_code == 200, response.text
        return sorted(i["id"] for i in response.json()["items"])

    assert len(await ids(target_system="crm")) == 2
    assert len(await ids(target_system="financeiro", kind="delivery", status="open")) == 1
    assert await ids(kind="step") == []
    assert await ids(event_type="tests.delivery_only") == sorted(three_dead)
    since = (clock.utcnow() - timedelta(minutes=30)).isoformat()
    assert len(await ids(created_from=since)) == 2
    assert await ids(created_to=since) == [min(three_dead)]
    assert (await hub.get("/api/dlq", params={"status": "bogus"}, headers=auth)).status_code == 422


async def test_stats(
    hub: httpx.AsyncClient, rt: Runtime, auth: dict[str, str], three_dead: list[int]
) -> None:
    await hub.post(f"/api/dlq/{three_dead[2]}/archive", headers=auth)  # the financeiro one
    stats = (await hub.get("/api/dlq/stats", headers=auth)).json()
    assert (stats["total"], stats["open"]) == (3, 2)
    assert stats["by_status"] == {"open": 2, "archived": 1}
    assert stats["open_by_kind"] == {"delivery": 2}
    assert stats["open_by_target_system"] == {"crm": 2}
    assert stats["open_by_event_type"] == {"tests.delivery_only": 2}
    assert stats["oldest_open_age_seconds"] >= 3600


async def test_archive_delete_and_retry_rules(
    hub: httpx.AsyncClient, rt: Runtime, auth: dict[str, str], three_dead: list[int]
) -> None:
    item = three_dead[0]
    archived = await hub.post(f"/api/dlq/{item}/archive", headers=auth)
    assert archived.status_code == 200 and archived.json()["status"] == "archived"
    assert archived.json()["archived_at"]
    assert (await hub.post(f"/api/dlq/{item}/retry", headers=auth)).status_code == 409
    open_ids = [
        i["id"] for i in (await hub.get("/api/dlq", params={"status": "open"}, headers=auth)).json()["items"]
    ]
    assert item not in open_ids

    shown = (await hub.get(f"/api/dlq/{three_dead[1]}", headers=auth)).json()
    assert shown["kind"] == "delivery" and shown["context"]["attempts"][0]["status_code"] == 500
    assert (await hub.delete(f"/api/dlq/{item}", headers=auth)).status_code == 204
    assert (await hub.get(f"/api/dlq/{item}", headers=auth)).status_code == 404
    assert (await hub.delete(f"/api/dlq/{item}", headers=auth)).status_code == 404
    assert (await hub.post(f"/api/dlq/{item}/retry", headers=auth)).status_code == 404


async def test_bulk_retry_by_ids_and_time_window(
    hub: httpx.AsyncClient,
    rt: Runtime,
    auth: dict[str, str],
    receiver: WebhookReceiver,
    hook: str,
    three_dead: list[int],
) -> None:
    since = (clock.utcnow() - timedelta(minutes=30)).isoformat()
    recent = await hub.post("/api/dlq/retry", json={"created_from": since}, headers=auth)
    assert recent.status_code == 202 and sorted(recent.json()["retried"]) == sorted(three_dead)[1:]
    by_ids = await hub.post("/api/dlq/retry", json={"ids": three_dead, "limit": 1}, headers=auth)
    assert by_ids.json()["retried"] == [min(three_dead)]  # oldest first, open ones only
    await drain(rt)
    statuses = {i.id: i.status for i in await dead_letters(rt)}
    assert statuses == dict.fromkeys(three_dead, "resolved")
    assert (await hub.post("/api/dlq/retry", json={"limit": 0}, headers=auth)).status_code == 422
