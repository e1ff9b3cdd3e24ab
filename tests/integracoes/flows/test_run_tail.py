"""The run's tail (flows/runner.py): the last step that calls out and the local steps after it share
the job's transaction, each local step in a savepoint of its own — so a local step that fails undoes
only its own writes, the call before it stays done and is never made again."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
from sqlalchemy import select

from carinho.integracoes.events.models import IntegrationEvent
from carinho.integracoes.flows.models import EventStep
from carinho.integracoes.flows.registry import DELIVER_WEBHOOKS, register_flow
from carinho.integracoes.flows.runner import _tail_start
from carinho.integracoes.flows.service import PlannedStep, step_idempotency_key
from carinho.integracoes.flows.step_api import StepContext, StepError, step
from carinho.integracoes.flows.steps import internal_events
from carinho.integracoes.flows.steps.common import previous_outputs
from carinho.kit import clock
from carinho.runtime import Runtime
from carinho.worker import Lane
from tests.integracoes.processing import create_endpoint, deliveries_of, event_row, steps_of, submit_event
from tests.support.jobs import drain
from tests.support.webhook_receiver import WebhookReceiver

CALL_THEN_LOCAL = "tests.call_then_local"
RAISED_TYPE = "tests.raised_by_local_step"


@step("tests.tail_call")
async def tail_call(ctx: StepContext) -> dict[str, Any]:
    async with httpx.AsyncClient() as client:
        response = await client.post(ctx.payload["url"], headers={"Idempotency-Key": ctx.idempotency_key})
    return {"status": response.status_code}


@step("tests.tail_local", local=True)
async def tail_local(ctx: StepContext) -> dict[str, Any]:
    """Writes (an internal event), reads the call's output from the same uncommitted transaction,
    and fails on its first attempt after writing."""
    event_id = await internal_events.raise_event(
        ctx.session, "integracoes", RAISED_TYPE, f"tail:{ctx.event.id}:{ctx.attempt}", {}
    )
    seen = (await previous_outputs(ctx)).get("tests.tail_call")
    if ctx.attempt == 1:
        raise StepError("the local step fails once, after writing")
    return {"raised": event_id, "call_output": seen}


@step("tests.tail_local_ok", local=True)
async def tail_local_ok(ctx: StepContext) -> dict[str, Any]:
    event_id = await internal_events.raise_event(
        ctx.session, "integracoes", RAISED_TYPE, f"tail-ok:{ctx.event.id}", {}
    )
    return {"raised": event_id}


register_flow(CALL_THEN_LOCAL, Lane.integrations, ("tests.tail_call", "tests.tail_local", DELIVER_WEBHOOKS))
CALL_THEN_LOCAL_OK = "tests.call_then_local_ok"
register_flow(
    CALL_THEN_LOCAL_OK, Lane.integrations, ("tests.tail_call", "tests.tail_local_ok", DELIVER_WEBHOOKS)
)


def _planned(*names: str) -> list[PlannedStep]:
    return [PlannedStep(i, name, f"key.{name}") for i, name in enumerate(names)]


def test_the_tail_starts_at_the_last_step_that_may_call_out() -> None:
    assert _tail_start(_planned("tests.tail_call", "tests.tail_local", DELIVER_WEBHOOKS)) == 0
    assert _tail_start(_planned("tests.tail_local", "tests.tail_call", DELIVER_WEBHOOKS)) == 1
    assert _tail_start(_planned("tests.tail_call", "tests.tail_call.second")) == 1
    assert _tail_start(_planned(DELIVER_WEBHOOKS)) == 0
    # A local step first in the run is the tail's start: there is no earlier transaction to join.
    assert _tail_start(_planned("tests.tail_local", DELIVER_WEBHOOKS)) == 0


async def _raised(rt: Runtime) -> list[str]:
    async with rt.db("integracoes").read_session() as session:
        rows = await session.execute(
            select(IntegrationEvent.idempotency_key).where(IntegrationEvent.event_type == RAISED_TYPE)
        )
        return list(rows.scalars())


async def test_a_failed_local_step_undoes_its_own_writes_only_and_the_call_is_not_made_again(
    hub: httpx.AsyncClient,
    rt: Runtime,
    auth: dict[str, str],
    receiver: WebhookReceiver,
    hook: str,
    still_clock: None,
) -> None:
    await create_endpoint(hub, auth, receiver.url(hook + "/out"))
    event_id = await submit_event(hub, auth, CALL_THEN_LOCAL, {"url": receiver.url(hook + "/call")})
    await drain(rt)

    event = await event_row(rt, event_id)
    assert event.status == "failed" and "fails once" in (event.last_error or "")
    steps = await steps_of(rt, event_id)
    assert [(s.name, s.status, s.attempts, s.claimed_by) for s in steps] == [
        ("tests.tail_call", "done", 1, None),
        ("tests.tail_local", "failed", 1, None),
        (DELIVER_WEBHOOKS, "pending", 0, None),
    ]
    assert await _raised(rt) == []  # the failed attempt's write was rolled back with it

    clock.advance(timedelta(seconds=13))
    await drain(rt)

    event = await event_row(rt, event_id)
    assert (event.status, event.attempts) == ("processed", 2)
    steps = await steps_of(rt, event_id)
    assert [(s.status, s.attempts) for s in steps] == [("done", 1), ("done", 2), ("done", 1)]
    assert len(receiver.received(hook + "/call")) == 1
    assert steps[1].output is not None and '"call_output": {"status": 200}' in steps[1].output
    assert await _raised(rt) == [f"tail:{event_id}:2"]
    assert len(await deliveries_of(rt, event_id)) == 1


async def test_a_tail_commits_its_steps_and_the_end_together(
    hub: httpx.AsyncClient, rt: Runtime, auth: dict[str, str], receiver: WebhookReceiver, hook: str
) -> None:
    """The flow of a status callback: the forward, then the delivery step, in one transaction."""
    register_flow("tests.call_then_deliver", Lane.integrations, ("tests.tail_call", DELIVER_WEBHOOKS))
    event_id = await submit_event(hub, auth, "tests.call_then_deliver", {"url": receiver.url(hook + "/c")})
    await drain(rt)
    event = await event_row(rt, event_id)
    assert (event.status, event.attempts) == ("processed", 1)
    steps = await steps_of(rt, event_id)
    assert [(s.status, s.attempts, s.claimed_by) for s in steps] == [("done", 1, None), ("done", 1, None)]
    assert len(receiver.received(hook + "/c")) == 1


async def test_a_local_step_another_run_holds_is_left_to_it_and_its_writes_are_undone(
    hub: httpx.AsyncClient, rt: Runtime, auth: dict[str, str], receiver: WebhookReceiver, hook: str
) -> None:
    event_id = await submit_event(hub, auth, CALL_THEN_LOCAL_OK, {"url": receiver.url(hook + "/held")})
    uid = (await event_row(rt, event_id)).uid
    now = clock.utcnow()
    async with rt.db("integracoes").session() as session:  # a live run holds the local step
        # That run began (a step row exists only once a run has begun): the event is in process.
        event = await session.get(IntegrationEvent, event_id)
        assert event is not None
        event.status, event.attempts = "processing", 1
        session.add(
            EventStep(
                event_id=event_id,
                name="tests.tail_local_ok",
                position=1,
                status="pending",
                attempts=1,
                idempotency_key=step_idempotency_key(uid, "tests.tail_local_ok"),
                claimed_by="another-run",
                claimed_until=now + timedelta(hours=1),
                started_at=now,
                created_at=now,
                updated_at=now,
            )
        )
        await session.commit()
    await drain(rt)

    steps = await steps_of(rt, event_id)
    assert [(s.name, s.status, s.attempts, s.claimed_by) for s in steps] == [
        ("tests.tail_call", "done", 1, None),
        ("tests.tail_local_ok", "pending", 1, "another-run"),
        (DELIVER_WEBHOOKS, "pending", 0, None),
    ]
    assert (await event_row(rt, event_id)).status == "processing"  # the holding run finishes it
    assert len(receiver.received(hook + "/held")) == 1
    assert await _raised(rt) == []
