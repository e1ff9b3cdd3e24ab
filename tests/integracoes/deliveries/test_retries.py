"""Outbound deliveries against a real HTTP target: retries on the schedule, Retry-After,
permanent errors, 410, the DLQ and replays (ARCHITECTURE §4, invariants 4 and 5)."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest

from carinho.kit import clock
from carinho.runtime import Runtime
from tests.integracoes.processing import (
    attempts_of,
    create_endpoint,
    dead_letters,
    deliveries_of,
    endpoint_row,
    event_row,
    submit_event,
)
from tests.support.jobs import drain
from tests.support.webhook_receiver import Reply, WebhookReceiver

# Retries are seconds apart: the clock moves only when a test moves it, however slow the machine.
pytestmark = pytest.mark.usefixtures("still_clock")


async def test_a_target_that_fails_then_recovers_gets_retries_then_success(
    hub: httpx.AsyncClient, rt: Runtime, auth: dict[str, str], receiver: WebhookReceiver, hook: str
) -> None:
    await create_endpoint(hub, auth, receiver.url(hook))
    receiver.plan(hook, Reply(500), Reply(503))
    event_id = await submit_event(hub, auth)

    await drain(rt)
    assert [r.status for r in receiver.received(hook)] == [500]
    [delivery] = await deliveries_of(rt, event_id)
    assert delivery.status == "pending" and delivery.attempts == 1
    # Default schedule: 5 s (+/- 20 %) before the first retry, 5 min before the second.
    assert timedelta(seconds=3.9) <= delivery.next_attempt_at - clock.utcnow() <= timedelta(seconds=6.1)

    clock.advance(timedelta(seconds=3))
    await drain(rt)
    assert len(receiver.received(hook)) == 1  # not due yet
    clock.advance(timedelta(seconds=4))
    await drain(rt)
    assert [r.status for r in receiver.received(hook)] == [500, 503]
    clock.advance(timedelta(minutes=6, seconds=1))
    await drain(rt)

    received = receiver.received(hook)
    assert [r.status for r in received] == [500, 503, 200]
    assert len({r.idempotency_key for r in received}) == 1
    assert len({r.headers["webhook-id"] for r in received}) == 1
    assert len({r.body for r in received}) == 1  # the exact same bytes every time
    [delivery] = await deliveries_of(rt, event_id)
    assert delivery.status == "succeeded" and delivery.attempts == 3 and delivery.last_status_code == 200
    attempts = await attempts_of(rt, delivery.id)
    assert [(a.number, a.trigger, a.status, a.status_code) for a in attempts] == [
        (1, "scheduled", "failed", 500),
        (2, "scheduled", "failed", 503),
        (3, "scheduled", "succeeded", 200),
    ]
    assert all(a.duration_ms >= 0 and a.response_excerpt == '{"ok": true}' for a in attempts)
    assert await dead_letters(rt) == []

    detail = (await hub.get(f"/api/events/{event_id}", headers=auth)).json()
    assert detail["status"] == "processed"
    assert [s["name"] for s in detail["steps"]] == ["deliver_webhooks"]
    assert [a["status_code"] for a in detail["deliveries"][0]["attempt_log"]] == [500, 503, 200]


async def test_retries_run_out_into_the_dlq_then_a_replay_succeeds(
    hub: httpx.AsyncClient, rt: Runtime, auth: dict[str, str], receiver: WebhookReceiver, hook: str
) -> None:
    endpoint = await create_endpoint(hub, auth, receiver.url(hook), retry_schedule=[5, 60])
    receiver.plan(
        hook, Reply(500, body=b'{"erro":"falha","telefone":"5511912345678"}'), Reply(502), Reply(500)
    )
    event_id = await submit_event(hub, auth)
    for _ in range(3):
        await drain(rt)
        clock.advance(timedelta(seconds=75))
    assert [r.status for r in receiver.received(hook)] == [500, 502, 500]

    [delivery] = await deliveries_of(rt, event_id)
    assert delivery.status == "dead" and delivery.attempts == 3
    [item] = await dead_letters(rt)
    assert (item.kind, item.status, item.event_id, item.delivery_id) == (
        "delivery",
        "open",
        event_id,
        delivery.id,
    )
    assert (item.endpoint_id, item.target_system, item.attempts, item.last_status_code) == (
        endpoint["id"],
        "crm",
        3,
        500,
    )
    assert [a["status_code"] for a in item.context["attempts"]] == [500, 502, 500]
    # The response excerpt is kept, with personal data masked.
    first_excerpt = (await attempts_of(rt, delivery.id))[0].response_excerpt or ""
    assert "falha" in first_excerpt and "5511912345678" not in first_excerpt
    assert (await event_row(rt, event_id)).status == "processed"  # the event's steps all ran

    replay = await hub.post(f"/api/dlq/{item.id}/retry", headers=auth)
    assert replay.status_code == 202 and replay.json()["status"] == "retrying"
    await drain(rt)
    received = receiver.received(hook)
    assert [r.status for r in received] == [500, 502, 500, 200]
    assert len({r.idempotency_key for r in received}) == 1
    [item] = await dead_letters(rt)
    assert item.status == "resolved" and item.replays == 1 and item.resolved_at is not None
    [delivery] = await deliveries_of(rt, event_id)
    assert delivery.status == "succeeded"
    assert (await attempts_of(rt, delivery.id))[-1].trigger == "manual"


async def test_a_failed_manual_replay_goes_back_to_the_dlq_without_more_retries(
    hub: httpx.AsyncClient, rt: Runtime, auth: dict[str, str], receiver: WebhookReceiver, hook: str
) -> None:
    await create_endpoint(hub, auth, receiver.url(hook), retry_schedule=[])
    receiver.plan(hook, Reply(500), Reply(503))
    await submit_event(hub, auth)
    await drain(rt)
    [item] = await dead_letters(rt)
    assert (await hub.post(f"/api/dlq/{item.id}/retry", headers=auth)).status_code == 202
    await drain(rt)
    clock.advance(timedelta(hours=12))
    await drain(rt)
    assert [r.status for r in receiver.received(hook)] == [500, 503]
    [item] = await dead_letters(rt)
    assert (item.status, item.replays, item.attempts, item.last_status_code) == ("open", 1, 2, 503)


async def test_bulk_replay_by_filter(
    hub: httpx.AsyncClient, rt: Runtime, auth: dict[str, str], receiver: WebhookReceiver, hook: str
) -> None:
    crm = await create_endpoint(hub, auth, receiver.url(hook + "/crm"), retry_schedule=[])
    await create_endpoint(
        hub, auth, receiver.url(hook + "/operacao"), target_system="operacao", retry_schedule=[]
    )
    receiver.plan(hook + "/crm", Reply(500), Reply(500))
    receiver.plan(hook + "/operacao", Reply(500), Reply(500))
    events = [await submit_event(hub, auth) for _ in range(2)]
    await drain(rt)
    items = await dead_letters(rt)
    assert len(items) == 4 and {i.status for i in items} == {"open"}

    response = await hub.post("/api/dlq/retry", json={"target_system": "crm"}, headers=auth)
    assert response.status_code == 202, response.text
    result = response.json()
    crm_items = sorted(i.id for i in items if i.endpoint_id == crm["id"])
    assert (result["matched"], sorted(result["retried"]), result["skipped"]) == (2, crm_items, [])
    await drain(rt)

    assert len(receiver.accepted(hook + "/crm")) == 2
    assert {r.idempotency_key for r in receiver.accepted(hook + "/crm")} == {
        f"evt_{(await event_row(rt, e)).uid}.deliver_webhooks.ep_{crm['id']}" for e in events
    }
    assert len(receiver.received(hook + "/operacao")) == 2  # not replayed
    by_target = {(i.target_system, i.status) for i in await dead_letters(rt)}
    assert by_target == {("crm", "resolved"), ("operacao", "open")}


async def test_410_disables_the_endpoint(
    hub: httpx.AsyncClient, rt: Runtime, auth: dict[str, str], receiver: WebhookReceiver, hook: str
) -> None:
    endpoint = await create_endpoint(hub, auth, receiver.url(hook))
    receiver.plan(hook, Reply(410))
    first = await submit_event(hub, auth)
    await drain(rt)
    [delivery] = await deliveries_of(rt, first)
    assert delivery.status == "dead" and delivery.attempts == 1
    shown = (await hub.get(f"/api/endpoints/{endpoint['id']}", headers=auth)).json()
    assert shown["enabled"] is False and "410" in shown["disabled_reason"]

    second = await submit_event(hub, auth)
    await drain(rt)
    clock.advance(timedelta(days=1))
    await drain(rt)
    assert len(receiver.received(hook)) == 1  # nothing more goes to a disabled endpoint
    assert await deliveries_of(rt, second) == []

    [item] = await dead_letters(rt)
    refused = await hub.post(f"/api/dlq/{item.id}/retry", headers=auth)
    assert refused.status_code == 409
    enabled = await hub.patch(f"/api/endpoints/{endpoint['id']}", json={"enabled": True}, headers=auth)
    assert enabled.json()["enabled"] is True
    assert (await hub.post(f"/api/dlq/{item.id}/retry", headers=auth)).status_code == 202
    await drain(rt)
    assert [r.status for r in receiver.received(hook)] == [410, 200]


async def test_4xx_is_permanent_but_429_honours_retry_after(
    hub: httpx.AsyncClient, rt: Runtime, auth: dict[str, str], receiver: WebhookReceiver, hook: str
) -> None:
    await create_endpoint(hub, auth, receiver.url(hook + "/strict"), target_system="financeiro")
    await create_endpoint(hub, auth, receiver.url(hook + "/busy"), target_system="operacao")
    await create_endpoint(hub, auth, receiver.url(hook + "/conflict"), target_system="documentos")
    receiver.plan(hook + "/strict", Reply(422))
    receiver.plan(hook + "/busy", Reply(429, headers={"Retry-After": "600"}))
    receiver.plan(hook + "/conflict", Reply(409))
    event_id = await submit_event(hub, auth)
    await drain(rt)

    by_path = {d.endpoint_id: d for d in await deliveries_of(rt, event_id)}
    strict, busy, conflict = (by_path[k] for k in sorted(by_path))
    assert (strict.status, strict.attempts, strict.last_status_code) == ("dead", 1, 422)
    assert busy.status == "pending" and conflict.status == "pending"
    assert busy.next_attempt_at - clock.utcnow() >= timedelta(seconds=599)
    # 409 is retryable: the schedule's 5 s (+ jitter); 429 also waits at least 60 s (overload).
    assert conflict.next_attempt_at - clock.utcnow() <= timedelta(seconds=6.1)

    clock.advance(timedelta(minutes=5))
    await drain(rt)
    assert len(receiver.received(hook + "/busy")) == 1  # Retry-After not over yet
    assert len(receiver.received(hook + "/conflict")) == 2
    clock.advance(timedelta(minutes=6))
    await drain(rt)
    assert [r.status for r in receiver.received(hook + "/busy")] == [429, 200]
    assert len(receiver.received(hook + "/strict")) == 1
    assert [(i.target_system, i.last_status_code) for i in await dead_letters(rt)] == [("financeiro", 422)]


async def test_an_unreachable_target_is_retried(
    hub: httpx.AsyncClient, rt: Runtime, auth: dict[str, str], receiver: WebhookReceiver, hook: str
) -> None:
    from tests.support.processes import free_port

    endpoint = await create_endpoint(hub, auth, f"http://127.0.0.1:{free_port()}/nobody", retry_schedule=[5])
    event_id = await submit_event(hub, auth)
    await drain(rt)
    [delivery] = await deliveries_of(rt, event_id)
    [attempt] = await attempts_of(rt, delivery.id)
    assert attempt.status_code is None and "ConnectError" in (attempt.error or "")
    assert delivery.status == "pending"
    # The target comes back at a new address before the retry.
    await hub.patch(f"/api/endpoints/{endpoint['id']}", json={"url": receiver.url(hook)}, headers=auth)
    clock.advance(timedelta(seconds=10))
    await drain(rt)
    assert [r.status for r in receiver.received(hook)] == [200]
    assert (await deliveries_of(rt, event_id))[0].status == "succeeded"


async def test_days_of_exhausted_deliveries_disable_the_endpoint(
    hub: httpx.AsyncClient, rt: Runtime, auth: dict[str, str], receiver: WebhookReceiver, hook: str
) -> None:
    endpoint = await create_endpoint(hub, auth, receiver.url(hook), retry_schedule=[])
    receiver.plan(hook, *[Reply(503)] * 3)
    await submit_event(hub, auth)
    await drain(rt)
    failing_since = (await endpoint_row(rt, endpoint["id"])).failing_since
    assert failing_since is not None

    clock.advance(timedelta(days=2))
    await submit_event(hub, auth)
    await drain(rt)
    assert (await endpoint_row(rt, endpoint["id"])).disabled_at is None  # 2 days < 5 days

    clock.advance(timedelta(days=3, minutes=1))
    await submit_event(hub, auth)
    await drain(rt)
    row = await endpoint_row(rt, endpoint["id"])
    assert row.disabled_at is not None and "5 days" in (row.disabled_reason or "")
    assert row.failing_since == failing_since


async def test_a_success_resets_the_failure_clock(
    hub: httpx.AsyncClient, rt: Runtime, auth: dict[str, str], receiver: WebhookReceiver, hook: str
) -> None:
    endpoint = await create_endpoint(hub, auth, receiver.url(hook), retry_schedule=[])
    receiver.plan(hook, Reply(503))
    await submit_event(hub, auth)
    await drain(rt)
    assert (await endpoint_row(rt, endpoint["id"])).failing_since is not None
    await submit_event(hub, auth)
    await drain(rt)
    assert (await endpoint_row(rt, endpoint["id"])).failing_since is None
