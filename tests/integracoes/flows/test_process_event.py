"""The flow runner: steps in order, one outcome row each, retries that skip done steps and send
the same idempotency key, the DLQ for steps, and `POST /api/events/{id}/retry`
(ARCHITECTURE §4, invariants 3-5)."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import httpx
from sqlalchemy import select

from carinho.connectors.crm.client import CrmClient
from carinho.connectors.crm.schemas import FeedbackInput
from carinho.integracoes.events.service import NewEvent, event_service
from carinho.integracoes.flows import registry
from carinho.integracoes.flows.registry import DELIVER_WEBHOOKS, PROCESS_EVENT_JOB, register_flow
from carinho.integracoes.flows.step_api import StepContext, StepError, step
from carinho.kit import clock
from carinho.runtime import Runtime
from carinho.runtime import current as current_runtime
from carinho.worker import Lane, enqueue
from tests.integracoes.processing import (
    create_endpoint,
    dead_letters,
    deliveries_of,
    event_row,
    steps_of,
    submit_event,
)
from tests.support.jobs import drain
from tests.support.webhook_receiver import Reply, WebhookReceiver

TWO_CALLS = "tests.two_calls"
PERMANENT = "tests.permanent_failure"


async def _call(ctx: StepContext, url: str) -> dict[str, Any]:
    """A step's side effect: a call to a real target, carrying the step's idempotency key."""
    async with httpx.AsyncClient() as client:
        response = await client.post(
            url, json={"event": ctx.event.id}, headers={"Idempotency-Key": ctx.idempotency_key}
        )
    if response.status_code >= 500:
        raise StepError(f"target answered {response.status_code}", status_code=response.status_code)
    return {"status": response.status_code}


@step("tests.first_call")
async def first_call(ctx: StepContext) -> dict[str, Any]:
    return await _call(ctx, ctx.payload["first"])


@step("tests.second_call")
async def second_call(ctx: StepContext) -> dict[str, Any]:
    return await _call(ctx, ctx.payload["second"])


@step("tests.crm_feedback")
async def crm_feedback(ctx: StepContext) -> dict[str, Any]:
    """A step calling a Carinho system through its real connector (a ConnectorError when it fails)."""
    settings = ctx_settings().with_overrides(carinho_crm_url=ctx.payload["crm"])
    async with CrmClient(settings) as crm:
        recorded = await crm.record_feedback(
            FeedbackInput(service_id="1", rating=9, channel="whatsapp"), idempotency_key=ctx.idempotency_key
        )
    return {"crm_feedback_id": recorded.id}


@step("tests.refuse")
async def refuse(ctx: StepContext) -> None:
    raise StepError("the target says this will never work", retryable=False)


register_flow(TWO_CALLS, Lane.integrations, ("tests.first_call", "tests.second_call", DELIVER_WEBHOOKS))
register_flow(PERMANENT, Lane.integrations, ("tests.refuse",))
CRM_CALL = "tests.crm_call"
register_flow(CRM_CALL, Lane.integrations, ("tests.crm_feedback",))


def test_lanes_follow_the_flow_registry() -> None:
    assert registry.lane_for("whatsapp.message.received") is Lane.integrations_high
    assert registry.lane_for("lead.created") is Lane.integrations_high
    assert registry.lane_for("lead.created", "site") is Lane.integrations_high
    # raised by the hub for a WhatsApp first contact, already in atendimento: off the inbound lane
    assert registry.lane_for("lead.created", "whatsapp") is Lane.integrations
    assert registry.lane_for("payment.received") is Lane.integrations
    assert registry.lane_for("notification.whatsapp.requested") is Lane.notifications
    assert registry.lane_for("sync.crm.clients") is Lane.integrations_low
    assert registry.RETRY_LANE is Lane.integrations_retry
    assert registry.handles("lead.created") and not registry.handles("whatsapp.presence")


async def test_an_event_runs_its_steps_in_order_and_records_each(
    hub: httpx.AsyncClient, rt: Runtime, auth: dict[str, str], receiver: WebhookReceiver, hook: str
) -> None:
    await create_endpoint(hub, auth, receiver.url(hook + "/out"))
    event_id = await submit_event(
        hub, auth, TWO_CALLS, {"first": receiver.url(hook + "/a"), "second": receiver.url(hook + "/b")}
    )
    await drain(rt)

    event = await event_row(rt, event_id)
    assert (event.status, event.attempts, event.last_error) == ("processed", 1, None)
    steps = await steps_of(rt, event_id)
    assert [(s.name, s.status, s.attempts) for s in steps] == [
        ("tests.first_call", "done", 1),
        ("tests.second_call", "done", 1),
        (DELIVER_WEBHOOKS, "done", 1),
    ]
    assert all(s.started_at and s.finished_at and s.claimed_by is None for s in steps)
    [delivery] = await deliveries_of(rt, event_id)
    assert steps[2].output == f'{{"deliveries": [{delivery.id}]}}'
    assert receiver.received(hook + "/a")[0].idempotency_key == f"evt_{event.uid}.tests.first_call"
    assert len(receiver.accepted(hook + "/out")) == 1


async def test_a_retried_event_skips_done_steps_and_sends_the_same_idempotency_key(
    hub: httpx.AsyncClient,
    rt: Runtime,
    auth: dict[str, str],
    receiver: WebhookReceiver,
    hook: str,
    still_clock: None,  # the retry's due time is read against a clock a busy machine cannot move
) -> None:
    receiver.plan(hook + "/b", Reply(503), Reply(502))
    event_id = await submit_event(
        hub, auth, TWO_CALLS, {"first": receiver.url(hook + "/a"), "second": receiver.url(hook + "/b")}
    )
    await drain(rt)
    event = await event_row(rt, event_id)
    assert event.status == "failed" and "503" in (event.last_error or "")
    # Default event schedule: 10 s (+/- 20 %) before the first retry.
    assert timedelta(seconds=7.9) <= event.next_attempt_at - clock.utcnow() <= timedelta(seconds=12.1)
    steps = await steps_of(rt, event_id)
    assert [(s.status, s.attempts) for s in steps] == [("done", 1), ("failed", 1), ("pending", 0)]

    clock.advance(timedelta(seconds=13))
    await drain(rt)
    clock.advance(timedelta(seconds=73))
    await drain(rt)

    assert len(receiver.received(hook + "/a")) == 1  # done: never called again
    second = receiver.received(hook + "/b")
    assert [r.status for r in second] == [503, 502, 200]
    uid = (await event_row(rt, event_id)).uid
    assert {r.idempotency_key for r in second} == {f"evt_{uid}.tests.second_call"}
    event = await event_row(rt, event_id)
    assert (event.status, event.attempts) == ("processed", 3)
    assert [(s.status, s.attempts) for s in await steps_of(rt, event_id)] == [
        ("done", 1),
        ("done", 3),
        ("done", 1),
    ]


async def test_a_step_out_of_retries_goes_to_the_dlq_and_the_retry_api_finishes_it(
    hub: httpx.AsyncClient, rt: Runtime, auth: dict[str, str], receiver: WebhookReceiver, hook: str
) -> None:
    rt.settings.event_retry_schedule_seconds = "10,60"
    receiver.plan(hook + "/b", Reply(500), Reply(500), Reply(500))
    event_id = await submit_event(
        hub, auth, TWO_CALLS, {"first": receiver.url(hook + "/a"), "second": receiver.url(hook + "/b")}
    )
    for _ in range(3):
        await drain(rt)
        clock.advance(timedelta(seconds=80))
    event = await event_row(rt, event_id)
    assert (event.status, event.attempts) == ("dead", 3)
    [item] = await dead_letters(rt)
    assert (item.kind, item.status, item.step_name, item.attempts) == ("step", "open", "tests.second_call", 3)
    assert (
        "500" in (item.last_error or "")
        and item.context["idempotency_key"] == f"evt_{event.uid}.tests.second_call"
    )
    assert item.last_status_code == 500

    response = await hub.post(f"/api/events/{event_id}/retry", headers=auth)
    assert response.status_code == 202, response.text
    assert response.json() == {
        "event_id": event_id,
        "status": "received",
        "attempts": 3,
        "steps_to_run": ["tests.second_call", DELIVER_WEBHOOKS],
    }
    assert (await dead_letters(rt))[0].status == "retrying"
    assert (
        await hub.post(f"/api/events/{event_id}/retry", headers=auth)
    ).status_code == 409  # queued already
    await drain(rt)

    event = await event_row(rt, event_id)
    assert (event.status, event.attempts) == ("processed", 4)
    assert len(receiver.received(hook + "/a")) == 1
    assert [r.status for r in receiver.received(hook + "/b")] == [500, 500, 500, 200]
    [item] = await dead_letters(rt)
    assert item.status == "resolved" and item.replays == 1


async def test_a_permanent_step_error_goes_straight_to_the_dlq(
    hub: httpx.AsyncClient, rt: Runtime, auth: dict[str, str]
) -> None:
    event_id = await submit_event(hub, auth, PERMANENT, {})
    await drain(rt)
    event = await event_row(rt, event_id)
    assert (event.status, event.attempts) == ("dead", 1)
    [item] = await dead_letters(rt)
    assert (item.kind, item.step_name, item.context["retryable"]) == ("step", "tests.refuse", False)
    # A DLQ replay of a step item re-runs the event: it fails the same way and reopens the item.
    assert (await hub.post(f"/api/dlq/{item.id}/retry", headers=auth)).status_code == 202
    await drain(rt)
    [item] = await dead_letters(rt)
    assert (item.status, item.replays, item.attempts) == ("open", 1, 2)
    assert (await event_row(rt, event_id)).status == "dead"


def ctx_settings() -> Any:
    return current_runtime().settings


async def test_a_dlq_item_of_a_step_carries_the_http_status_of_its_last_failed_call(
    hub: httpx.AsyncClient, rt: Runtime, auth: dict[str, str], receiver: WebhookReceiver, hook: str
) -> None:
    """A connector call answered 503, then 503, then 422: the item says 422 (not null)."""
    rt.settings.event_retry_schedule_seconds = "10,60"
    receiver.plan(f"{hook}/api/v1/feedback", Reply(503), Reply(503), Reply(422))
    await submit_event(hub, auth, CRM_CALL, {"crm": receiver.url(hook)})
    for _ in range(3):
        await drain(rt)
        clock.advance(timedelta(seconds=80))
    assert [r.status for r in receiver.received(f"{hook}/api/v1/feedback")] == [503, 503, 422]
    [item] = await dead_letters(rt)
    assert (item.kind, item.step_name, item.attempts) == ("step", "tests.crm_feedback", 3)
    assert item.last_status_code == 422
    listed = (await hub.get(f"/api/dlq/{item.id}", headers=auth)).json()
    assert listed["last_status_code"] == 422


async def test_retry_api_refuses_what_cannot_be_retried(
    hub: httpx.AsyncClient, rt: Runtime, auth: dict[str, str]
) -> None:
    event_id = await submit_event(hub, auth)
    await drain(rt)
    processed = await hub.post(f"/api/events/{event_id}/retry", headers=auth)
    assert processed.status_code == 409 and processed.json()["details"] == {"status": "processed"}
    assert (await hub.post("/api/events/999999/retry", headers=auth)).status_code == 404
    assert (await hub.post(f"/api/events/{event_id}/retry")).status_code == 401


async def test_two_jobs_for_one_event_run_its_steps_once(
    hub: httpx.AsyncClient, rt: Runtime, auth: dict[str, str], receiver: WebhookReceiver, hook: str
) -> None:
    event_id = await submit_event(
        hub, auth, TWO_CALLS, {"first": receiver.url(hook + "/a"), "second": receiver.url(hook + "/b")}
    )
    async with rt.db("integracoes").session() as session:  # e.g. a relay re-dispatch of a slow run
        await enqueue(session, PROCESS_EVENT_JOB, {"event_id": event_id})
        await session.commit()
    await drain(rt)
    assert len(receiver.received(hook + "/a")) == 1 and len(receiver.received(hook + "/b")) == 1
    assert (await event_row(rt, event_id)).attempts == 1


async def test_a_step_held_by_a_live_run_is_not_run_again(
    hub: httpx.AsyncClient, rt: Runtime, auth: dict[str, str], receiver: WebhookReceiver, hook: str
) -> None:
    """A run that crashed mid-step keeps the step until its job's deadline; then a re-run resumes."""
    from carinho.integracoes.flows.models import EventStep
    from carinho.integracoes.flows.runner import run_event

    event_id = await submit_event(
        hub, auth, TWO_CALLS, {"first": receiver.url(hook + "/a"), "second": receiver.url(hook + "/b")}
    )
    async with rt.db("integracoes").session() as session:
        await run_event(session, event_id, None)  # the first run ... but nothing commits its end
        await session.rollback()
    async with rt.db("integracoes").session() as session:
        step_row = (
            await session.execute(
                select(EventStep).where(EventStep.event_id == event_id, EventStep.position == 1)
            )
        ).scalar_one()
        step_row.status, step_row.claimed_by = "pending", "dead-worker"
        step_row.claimed_until = clock.utcnow() + timedelta(minutes=5)
        await session.commit()
    async with rt.db("integracoes").session() as session:
        await run_event(session, event_id, 0)  # resumed while the dead run's claim is live
        await session.commit()
    assert len(receiver.received(hook + "/b")) == 1
    assert (await event_row(rt, event_id)).status == "processing"

    clock.advance(timedelta(minutes=6))
    async with rt.db("integracoes").session() as session:
        await run_event(session, event_id, 0)
        await session.commit()
    assert [s.status for s in await steps_of(rt, event_id)] == ["done", "done", "done"]
    assert len(receiver.received(hook + "/a")) == 1 and len(receiver.received(hook + "/b")) == 2
    assert (await event_row(rt, event_id)).status == "processed"


async def test_an_event_type_without_a_flow_is_marked_ignored(rt: Runtime) -> None:
    async with rt.db("integracoes").session() as session:
        [result] = await event_service.store_batch(
            session,
            [
                NewEvent(
                    source="zapi",
                    event_type="whatsapp.presence",
                    idempotency_key=uuid.uuid4().hex,
                    payload={},
                )
            ],
        )
        await session.commit()
    assert result.status == "ignored"
    async with rt.db("integracoes").session() as session:  # a stray job for it does nothing
        await enqueue(session, PROCESS_EVENT_JOB, {"event_id": result.event_id})
        await session.commit()
    await drain(rt)
    event = await event_row(rt, result.event_id)
    assert (event.status, event.attempts) == ("ignored", 0)
