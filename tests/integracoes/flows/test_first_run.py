"""A run's statements on the event and its steps: a first run inserts its steps with the first one
claimed (nothing can be there to read), and its end marks the event processed without reading it
again. A later run of the event (a retry) reads the steps the first one left. Either way its steps
read the earlier steps' outputs and the event's raw body from the run's memory, not the database."""

from __future__ import annotations

import json
import uuid
from datetime import timedelta
from typing import Any

import httpx

from carinho.integracoes.events.ingest import ingest
from carinho.integracoes.events.service import NewEvent
from carinho.integracoes.flows.registry import DELIVER_WEBHOOKS, register_flow
from carinho.integracoes.flows.step_api import StepContext, StepError, step
from carinho.integracoes.flows.steps.common import previous_outputs, raw_body
from carinho.kit import clock
from carinho.runtime import Runtime
from carinho.worker import Lane
from tests.integracoes.processing import event_row, statements, steps_of, submit_event
from tests.support.jobs import drain

TWO_STEPS = "tests.first_run_two_steps"
calls: dict[str, int] = {}


@step("tests.first_run_a")
async def first(ctx: StepContext) -> dict[str, Any]:
    calls[ctx.idempotency_key] = calls.get(ctx.idempotency_key, 0) + 1
    return {"a": True}


@step("tests.first_run_b")
async def second(ctx: StepContext) -> dict[str, Any]:
    if ctx.payload.get("fail_once") and ctx.attempt == 1:
        raise StepError("b fails on the first run")
    raw = await raw_body(ctx)
    return {"b": ctx.attempt, "seen": await previous_outputs(ctx), "raw": raw.decode() if raw else None}


register_flow(TWO_STEPS, Lane.integrations, ("tests.first_run_a", "tests.first_run_b", DELIVER_WEBHOOKS))


def _on(table: str, verb: str, seen: list[str]) -> list[str]:
    return [sql for sql in seen if sql.startswith(verb) and f" {table} " in f" {sql} ".replace("(", " ")]


async def test_a_first_run_reads_no_steps_claims_with_its_insert_and_ends_without_a_second_read(
    hub: httpx.AsyncClient, rt: Runtime, auth: dict[str, str]
) -> None:
    raw = b'{"n":1, "as": "sent"}'
    stored = await ingest(rt, NewEvent("crm", TWO_STEPS, uuid.uuid4().hex, {"n": 1}, raw_body=raw))
    event_id = stored.event_id
    with statements(rt) as seen:
        await drain(rt)

    event = await event_row(rt, event_id)
    assert (event.status, event.attempts, event.next_attempt_at, event.last_error) == (
        "processed",
        1,
        None,
        None,
    )
    assert event.processed_at is not None
    steps = await steps_of(rt, event_id)
    assert [(s.name, s.status, s.attempts, s.claimed_by, s.started_at is not None) for s in steps] == [
        ("tests.first_run_a", "done", 1, None, True),
        ("tests.first_run_b", "done", 1, None, True),
        (DELIVER_WEBHOOKS, "done", 1, None, True),
    ]
    # The run's start; its end updates the event without reading it again.
    assert len([sql for sql in seen if sql.startswith("SELECT") and "FROM integration_events" in sql]) == 1
    assert [sql for sql in seen if sql.startswith("SELECT") and "FROM integration_event_steps" in sql] == []
    # a's outcome, b's claim, b's outcome, the delivery step's claim and outcome: a's claim was the
    # insert's.
    assert len(_on("integration_event_steps", "UPDATE", seen)) == 4
    assert len(_on("integration_event_steps", "INSERT", seen)) == 1
    # b read a's output (done in this run) and the bytes as they came, without a statement.
    assert steps[1].output is not None
    assert json.loads(steps[1].output) == {
        "b": 1,
        "seen": {"tests.first_run_a": {"a": True}},
        "raw": raw.decode(),
    }
    assert not [sql for sql in seen if sql.startswith("SELECT integration_events.raw_body")]


async def test_a_later_run_reads_the_steps_the_first_left_and_runs_only_the_undone(
    hub: httpx.AsyncClient, rt: Runtime, auth: dict[str, str], still_clock: None
) -> None:
    event_id = await submit_event(hub, auth, TWO_STEPS, {"fail_once": True})
    await drain(rt)
    event = await event_row(rt, event_id)
    assert (event.status, event.attempts) == ("failed", 1)

    clock.advance(timedelta(seconds=13))
    with statements(rt) as seen:
        await drain(rt)
    event = await event_row(rt, event_id)
    assert (event.status, event.attempts) == ("processed", 2)
    steps = await steps_of(rt, event_id)
    assert [(s.status, s.attempts) for s in steps] == [("done", 1), ("done", 2), ("done", 1)]
    assert calls[steps[0].idempotency_key] == 1  # a ran once, on the first run
    # b saw a's output, done by the first run, as read with the steps.
    assert steps[1].output is not None and json.loads(steps[1].output)["seen"] == {
        "tests.first_run_a": {"a": True}
    }
    assert [sql for sql in seen if sql.startswith("SELECT") and "FROM integration_event_steps" in sql]
