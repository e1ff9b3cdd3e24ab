"""A run's statements on the event and its steps: a first run inserts its steps with the first one
claimed (nothing can be there to read), and its end marks the event processed without reading it
again. A later run of the event (a retry) reads the steps the first one left."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx

from carinho.integracoes.flows.registry import DELIVER_WEBHOOKS, register_flow
from carinho.integracoes.flows.step_api import StepContext, StepError, step
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
    return {"b": ctx.attempt}


register_flow(TWO_STEPS, Lane.integrations, ("tests.first_run_a", "tests.first_run_b", DELIVER_WEBHOOKS))


def _on(table: str, verb: str, seen: list[str]) -> list[str]:
    return [sql for sql in seen if sql.startswith(verb) and f" {table} " in f" {sql} ".replace("(", " ")]


async def test_a_first_run_reads_no_steps_claims_with_its_insert_and_ends_without_a_second_read(
    hub: httpx.AsyncClient, rt: Runtime, auth: dict[str, str]
) -> None:
    event_id = await submit_event(hub, auth, TWO_STEPS, {"n": 1})
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
    assert [sql for sql in seen if sql.startswith("SELECT") and "FROM integration_event_steps" in sql]
