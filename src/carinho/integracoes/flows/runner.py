"""Runs one event through its flow: every step in order, each committed with its outcome.

A step is claimed before it runs (in the transaction that began the run or finished the previous
step), so two runs of one event never execute the same step at once; the claim lasts until this
job's deadline, after which the executor has cancelled us and a re-dispatched job may take over.
Every step but the run's tail commits in its own transaction, so a finished step never runs again.
The tail — the last step that may call out of the hub and the local steps after it (`@step(...,
local=True)`: database work only, such as `deliver_webhooks`) — and the run's end (processed, retry
or DLQ) commit in the job's own session, together with the outbox row's `done`: one commit for what
used to be one per step. Each local step of the tail runs in a savepoint, so its failure undoes its
own writes only; the steps before it stay done and it alone is retried. A local step is claimed by
the statement that marks it done (it ran in a transaction that holds the lock). A local step whose
context shows it has nothing to do (`@step(..., nothing_to_do=...)`) is only marked done, by that
statement, without a savepoint: it has no writes to undo, and a failure of that statement is one of
the job's transaction, like the run's end (the tail runs again; no done step is lost or repeated).

The run keeps what it knows (`RunPlan.config`, `RunPlan.memory`, in every step's context): what it
read with its event row — the raw body, the mappings' generation, whether any endpoint is enabled —
and the outputs of the event's done steps, so its steps do not read them again.

A step that must wait without having failed — Z-API's send limit (`ConnectorPaced`), or a step that
runs on a lane of its own (`registry.step_lane`) — ends the run with `flow_service.defer_run`: the
rest of the event runs later as a delayed outbox row, and no worker waits for it.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from carinho import runtime
from carinho.connectors.errors import ConnectorPaced
from carinho.integracoes.flows import registry
from carinho.integracoes.flows.service import (
    PlannedStep,
    RunPlan,
    StepRunFailure,
    flow_service,
    stored_output,
)
from carinho.integracoes.flows.step_api import StepContext, StepFailure, get_step, is_local, nothing_to_do
from carinho.kit.clock import utcnow
from carinho.logging import get_logger
from carinho.worker import Lane
from carinho.worker.jobs import get_job

log = get_logger(__name__)


class _Held:
    """Another live run holds this step (or the next one): that run finishes the event."""


HELD = _Held()
NEXT_HELD = _Held()


@dataclass(frozen=True)
class _Paced:
    """The step must wait `delay` for its Z-API send slot: nothing was sent, nothing failed."""

    delay: timedelta


async def run_event(
    job_session: AsyncSession, event_id: int, expected_attempts: int | None, lane: Lane | None = None
) -> None:
    rt = runtime.current()
    db = rt.db("integracoes")
    spec = get_job(registry.PROCESS_EVENT_JOB)
    time_limit = spec.time_limit_seconds or rt.settings.job_default_time_limit_seconds
    deadline = utcnow() + timedelta(seconds=time_limit)
    token = uuid.uuid4().hex

    async with db.session() as session:
        plan = await flow_service.begin_run(session, event_id, expected_attempts, token, deadline)
        await session.commit()
    if plan is None:
        return
    if not plan.first_claimed:
        log.info("event.step_held_elsewhere", event_id=event_id, step=plan.steps[0].name)
        return

    tail = _tail_start(plan.steps)
    for index, step in enumerate(plan.steps):
        own_lane = registry.step_lane(step.name)
        if own_lane is not None and own_lane != lane:
            await flow_service.defer_run(job_session, plan, token, step, timedelta(0), own_lane)
            return
        current_lane = own_lane or lane or registry.lane_for(plan.event.event_type, plan.event.source)
        if index == tail:
            await _run_tail(job_session, plan, plan.steps[index:], token, current_lane, deadline)
            return
        async with db.session() as session:
            outcome = await _attempt(session, plan, step, token, plan.steps[index + 1], deadline)
            if outcome is None or outcome is NEXT_HELD:
                await session.commit()
            else:
                await session.rollback()
        if isinstance(outcome, StepFailure):
            await _fail(job_session, plan, step, token, outcome)
            return
        if isinstance(outcome, _Paced):
            await flow_service.defer_run(job_session, plan, token, step, outcome.delay, current_lane)
            return
        if outcome is not None:  # this step's or the next one's claim is another run's
            log.info("event.step_held_elsewhere", event_id=event_id, step=step.name)
            return
    await flow_service.finish_run(job_session, plan, token, None)  # every step was done already


def _tail_start(steps: list[PlannedStep]) -> int:
    """Where the run's tail starts: the last step, or the last one before the local steps that end
    the flow (a local step with a lane of its own keeps its own run)."""
    start = len(steps) - 1
    while start > 0 and is_local(steps[start].name) and registry.step_lane(steps[start].name) is None:
        start -= 1
    return start


async def _run_tail(
    job_session: AsyncSession,
    plan: RunPlan,
    tail: list[PlannedStep],
    token: str,
    lane: Lane,
    deadline: datetime,
) -> None:
    """The tail's steps and the run's end in the job's session (its commit is the executor's)."""
    first = tail[0]
    outcome = await _attempt(job_session, plan, first, token, None, None)
    if outcome is not None:
        await job_session.rollback()
        if isinstance(outcome, StepFailure):
            await _fail(job_session, plan, first, token, outcome)
        elif isinstance(outcome, _Paced):
            await flow_service.defer_run(job_session, plan, token, first, outcome.delay, lane)
        return
    for step in tail[1:]:
        recorded = await _record_nothing_to_do(job_session, plan, step, token)
        if recorded is HELD:
            log.info("event.step_held_elsewhere", event_id=plan.event.id, step=step.name)
            return  # the steps before it commit as done; the run holding it finishes the event
        if recorded is not None:
            continue
        # A local step runs first and is claimed with its outcome, in one statement: on SQLite this
        # transaction holds the write lock, elsewhere that UPDATE waits for a concurrent one's row
        # lock and then finds the step done. Held by another run: its writes are undone.
        savepoint = await job_session.begin_nested()
        outcome = await _attempt(job_session, plan, step, token, None, None, claimed=False)
        if outcome is None:
            await savepoint.commit()
            continue
        await savepoint.rollback()  # its own writes only: the steps before it stay done
        if outcome is HELD or not await flow_service.claim_step(job_session, step, token, deadline):
            log.info("event.step_held_elsewhere", event_id=plan.event.id, step=step.name)
            return  # the steps before it commit as done; the run holding it finishes the event
        if isinstance(outcome, StepFailure):
            await _fail(job_session, plan, step, token, outcome)
        elif isinstance(outcome, _Paced):  # not for a local step; if one is, it waits like any other
            await flow_service.defer_run(job_session, plan, token, step, outcome.delay, lane)
        return
    await flow_service.finish_run(job_session, plan, token, None)


async def _record_nothing_to_do(
    job_session: AsyncSession, plan: RunPlan, step: PlannedStep, token: str
) -> _Held | dict[str, object] | None:
    """A local step whose context shows it has nothing to do (`@step(..., nothing_to_do=...)`) is
    recorded done with that output, claimed by the same statement, without running and without a
    savepoint: it has no writes of its own to undo. Its output, HELD when another run holds the
    step, or None: the step must run."""
    output = nothing_to_do(step.name, _context(job_session, plan, step))
    if output is None:
        return None
    if not await flow_service.complete_unclaimed_step(job_session, step, utcnow(), output):
        return HELD
    plan.memory.outputs[step.name] = stored_output(output)
    return output


def _context(session: AsyncSession, plan: RunPlan, step: PlannedStep) -> StepContext:
    return StepContext(
        session=session,
        event=plan.event,
        payload=plan.payload,
        step_name=step.name,
        idempotency_key=step.idempotency_key,
        attempt=plan.attempt,
        config=plan.config,
        memory=plan.memory,
    )


async def _fail(
    job_session: AsyncSession, plan: RunPlan, step: PlannedStep, token: str, failure: StepFailure
) -> None:
    log.warning(
        "event.step_failed",
        event_id=plan.event.id,
        step=step.name,
        retryable=failure.retryable,
        error=failure.error[:300],
    )
    await flow_service.finish_run(job_session, plan, token, StepRunFailure(step, failure))


async def _attempt(
    session: AsyncSession,
    plan: RunPlan,
    step: PlannedStep,
    token: str,
    next_step: PlannedStep | None,
    deadline: datetime | None,
    *,
    claimed: bool = True,
) -> StepFailure | _Held | _Paced | None:
    """Run one step and mark it done (and claim the next one) in `session`; the caller commits.
    `claimed=False`: the step is not claimed yet, marking it done claims it too."""
    started_at = utcnow()
    try:
        output = await get_step(step.name)(_context(session, plan, step))
        done = (
            await flow_service.complete_step(session, step, token, output)
            if claimed
            else await flow_service.complete_unclaimed_step(session, step, started_at, output)
        )
        if not done:
            return HELD
        # Done in `session`: the later steps of the run read it as they would from its row.
        plan.memory.outputs[step.name] = stored_output(output)
        if (
            next_step is not None
            and deadline is not None
            and not await flow_service.claim_step(session, next_step, token, deadline)
        ):
            return NEXT_HELD
    except ConnectorPaced as exc:
        return _Paced(timedelta(seconds=exc.retry_after or 0))
    except Exception as exc:
        plan.memory.outputs.pop(step.name, None)
        return StepFailure.from_exception(exc)
    return None
