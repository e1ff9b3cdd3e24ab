"""The event's processing state machine: begin a run, record each step's outcome, finish the run
(processed, a scheduled retry, or the DLQ), and manual retries."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from carinho import runtime
from carinho.errors import Conflict, NotFound
from carinho.integracoes.dlq import recording as dead_letters
from carinho.integracoes.events.models import EventStatus, IntegrationEvent, global_event_id
from carinho.integracoes.events.service import event_service, register_detail_loader
from carinho.integracoes.flows import registry
from carinho.integracoes.flows.models import EventStep, StepStatus
from carinho.integracoes.flows.repository import FlowRepository
from carinho.integracoes.flows.step_api import EventSnapshot, RunConfig, RunMemory, StepFailure
from carinho.integracoes.mappings.cache import generation_key
from carinho.kit import retry
from carinho.kit.clock import utcnow
from carinho.logging import get_logger
from carinho.worker import Lane, enqueue

log = get_logger(__name__)

FINAL_STATUSES = (EventStatus.processed.value, EventStatus.dead.value, EventStatus.ignored.value)
RETRYABLE_STATUSES = (EventStatus.failed.value, EventStatus.dead.value)
# A replay from a step needs a run that ended (or is waiting for its retry): never one in progress.
REPLAYABLE_STATUSES = (EventStatus.processed.value, EventStatus.failed.value, EventStatus.dead.value)
MAX_OUTPUT_CHARS = 16_000


def step_idempotency_key(event_uid: str, step_name: str) -> str:
    """The `Idempotency-Key` a step sends downstream: globally unique, the same on every retry."""
    return f"{global_event_id(event_uid)}.{step_name}"


@dataclass(frozen=True)
class PlannedStep:
    id: int
    name: str
    idempotency_key: str


@dataclass(frozen=True)
class RunPlan:
    event: EventSnapshot
    payload: dict[str, Any]
    steps: list[PlannedStep]  # the ones still to run, in order
    attempt: int
    first_claimed: bool  # False: another live run holds the first step
    config: RunConfig  # what the run read of the hub's configuration at its start
    memory: RunMemory  # its done steps' outputs (the runner adds each it marks done), the raw body


@dataclass(frozen=True)
class StepRunFailure:
    step: PlannedStep
    failure: StepFailure


def _snapshot(event: IntegrationEvent) -> EventSnapshot:
    return EventSnapshot(
        event.id, event.source, event.event_type, event.idempotency_key, event.created_at, event.uid
    )


def _never_ran(event: IntegrationEvent) -> bool:
    """No run of this event ever began, so it has no step rows: as stored (`received`, no attempt),
    and never handed over to a later run (`defer_run` gives the event back its attempt but sets
    `next_attempt_at`; a retry or a replay needs an attempt). Read from the event row the run holds
    locked, so a run that began meanwhile shows as `processing`."""
    return (
        event.status == EventStatus.received.value and event.attempts == 0 and event.next_attempt_at is None
    )


def _step_row(event: IntegrationEvent, name: str, position: int, now: datetime) -> dict[str, Any]:
    return {
        "event_id": event.id,
        "name": name,
        "position": position,
        "status": StepStatus.pending.value,
        "idempotency_key": step_idempotency_key(event.uid, name),
        "created_at": now,
        "updated_at": now,
    }


def _output_text(output: dict[str, Any] | None) -> str | None:
    if output is None:
        return None
    text = json.dumps(output, ensure_ascii=False, default=str)
    return text if len(text) <= MAX_OUTPUT_CHARS else json.dumps({"truncated": text[:MAX_OUTPUT_CHARS]})


def _parsed_output(text: str | None) -> Any:
    return json.loads(text) if text else None


def stored_output(output: dict[str, Any] | None) -> Any:
    """A step's output as a later step reads it back from its row (JSON, truncated when long)."""
    return _parsed_output(_output_text(output))


class FlowService:
    async def begin_run(
        self,
        session: AsyncSession,
        event_id: int,
        expected_attempts: int | None,
        token: str,
        claim_until: datetime,
    ) -> RunPlan | None:
        """Start (or, after a crash, resume) a processing run, claiming its first step. None: nothing
        to do (already final, or a stale job whose run another job has taken over)."""
        repo = FlowRepository(session)
        found = await repo.event_for_run(event_id)
        if found is None or found.event.status in FINAL_STATUSES:
            return None
        event = found.event
        expected = expected_attempts or 0
        resuming = event.status == EventStatus.processing.value and event.attempts == expected + 1
        if event.attempts != expected and not resuming:
            return None
        flow = registry.get_flow(event.event_type)
        if flow is None:
            event.status = EventStatus.ignored.value
            event.processed_at = utcnow()
            return None
        first_run = _never_ran(event)
        if not resuming:
            event.attempts += 1
            event.status = EventStatus.processing.value
            event.next_attempt_at = None
        if first_run:
            steps = await self._create_steps(repo, event, flow.steps, token, claim_until)
        else:
            steps = await self._ensure_steps(repo, event, flow.steps)
        pending = [
            PlannedStep(s.id, s.name, s.idempotency_key)
            for s in steps
            if s.status in (StepStatus.pending.value, StepStatus.failed.value)
        ]
        payload = await event_service.payload(session, event)
        # A first run's first step was inserted claimed by it.
        claimed = (
            first_run or not pending or await repo.claim_step(pending[0].id, token, utcnow(), claim_until)
        )
        config = RunConfig(
            mappings=generation_key(session, found.mappings_token, found.mappings_generation),
            endpoints_enabled=found.endpoints_enabled,
        )
        memory = RunMemory(
            outputs={s.name: _parsed_output(s.output) for s in steps if s.status == StepStatus.done.value},
            raw_body=event_service.loaded_raw_body(session, event),
        )
        return RunPlan(_snapshot(event), payload, pending, event.attempts, claimed, config, memory)

    async def _create_steps(
        self,
        repo: FlowRepository,
        event: IntegrationEvent,
        names: tuple[str, ...],
        token: str,
        claim_until: datetime,
    ) -> list[EventStep]:
        """A first run's step rows, the first one claimed by the run: nothing to read before."""
        now = utcnow()
        rows = [
            _step_row(event, name, position, now)
            | (
                {"claimed_by": token, "claimed_until": claim_until, "attempts": 1, "started_at": now}
                if position == 0
                else {"claimed_by": None, "claimed_until": None, "attempts": 0, "started_at": None}
            )
            for position, name in enumerate(names)
        ]
        by_name = {step.name: step for step in await repo.add_steps(rows)}
        await repo.session.flush()
        return [by_name[name] for name in names]

    async def _ensure_steps(
        self, repo: FlowRepository, event: IntegrationEvent, names: tuple[str, ...]
    ) -> list[EventStep]:
        existing = {step.name: step for step in await repo.steps(event.id)}
        now = utcnow()
        missing = [
            _step_row(event, name, position, now) | {"attempts": 0}
            for position, name in enumerate(names)
            if name not in existing
        ]
        existing.update((step.name, step) for step in await repo.add_steps(missing))
        await repo.session.flush()
        # Steps of the current flow, in its order (a step dropped from the flow no longer runs).
        return [existing[name] for name in names]

    async def claim_step(self, session: AsyncSession, step: PlannedStep, token: str, until: datetime) -> bool:
        return await FlowRepository(session).claim_step(step.id, token, utcnow(), until)

    async def complete_step(
        self, session: AsyncSession, step: PlannedStep, token: str, output: dict[str, Any] | None
    ) -> bool:
        return await FlowRepository(session).release_step(
            step.id,
            token,
            {
                "status": StepStatus.done.value,
                "output": _output_text(output),
                "last_error": None,
                "finished_at": utcnow(),
                "updated_at": utcnow(),
            },
        )

    async def complete_unclaimed_step(
        self, session: AsyncSession, step: PlannedStep, started_at: datetime, output: dict[str, Any] | None
    ) -> bool:
        """Claim and complete a step that ran in `session`'s transaction (a local step of a run's
        tail): False, and the caller undoes the step's writes, when another run holds it."""
        now = utcnow()
        return await FlowRepository(session).claim_and_release_step(
            step.id,
            now,
            {
                "status": StepStatus.done.value,
                "output": _output_text(output),
                "last_error": None,
                "started_at": started_at,
                "finished_at": now,
                "updated_at": now,
            },
        )

    async def finish_run(
        self, session: AsyncSession, plan: RunPlan, token: str, failed: StepRunFailure | None
    ) -> None:
        repo = FlowRepository(session)
        now = utcnow()
        if failed is None:
            # The run knows the event (its start read it, and counted the attempt): no read again.
            await repo.mark_processed(plan.event.id, now)
            if plan.attempt > 1:
                # A step reaches the DLQ only with its event dead, and every run after that (a
                # retry, a replay) counts a new attempt: a first run's event has no items.
                await dead_letters.resolve_event_steps(session, plan.event.id)
            log.info(
                "event.processed", event_id=plan.event.id, type=plan.event.event_type, attempt=plan.attempt
            )
            return
        event = await repo.get_event_for_update(plan.event.id)
        if event is None:
            return
        failure = failed.failure
        delay = self._retry_delay(event, failure)
        step_status = StepStatus.failed if delay is not None else StepStatus.dead
        await repo.release_step(
            failed.step.id,
            token,
            {
                "status": step_status.value,
                "last_error": failure.error,
                "finished_at": now,
                "updated_at": now,
            },
        )
        event.last_error = f"{failed.step.name}: {failure.error}"[:4000]
        if delay is not None:
            event.status = EventStatus.failed.value
            event.next_attempt_at = now + delay
            await enqueue(
                session,
                registry.PROCESS_EVENT_JOB,
                {"event_id": event.id, "expected_attempts": event.attempts},
                lane=registry.RETRY_LANE,
                delay=delay,
                dedupe_key=f"event:{event.id}:run:{event.attempts + 1}",
            )
            log.info(
                "event.retry_scheduled", event_id=event.id, step=failed.step.name, attempt=event.attempts
            )
            return
        event.status = EventStatus.dead.value
        event.next_attempt_at = None
        step = await repo.get_step(failed.step.id)
        await dead_letters.record_step(
            session,
            event,
            step_id=failed.step.id,
            step_name=failed.step.name,
            attempts=step.attempts if step is not None else event.attempts,
            error=failure.error,
            status_code=failure.status_code,
            context={
                "event_attempts": event.attempts,
                "retryable": failure.retryable,
                "idempotency_key": failed.step.idempotency_key,
            },
        )

    async def defer_run(
        self,
        session: AsyncSession,
        plan: RunPlan,
        token: str,
        step: PlannedStep,
        delay: timedelta,
        lane: Lane,
    ) -> None:
        """End this run without a failure: `step` runs later (its Z-API slot, or its own lane) in a
        new run due after `delay` on `lane`. Nothing failed, so neither the step nor the event
        spends an attempt, and the event never reaches the DLQ for waiting."""
        repo = FlowRepository(session)
        event = await repo.get_event_for_update(plan.event.id)
        if event is None:
            return
        now = utcnow()
        released = await repo.release_step(
            step.id,
            token,
            {"status": StepStatus.pending.value, "attempts": EventStep.attempts - 1, "updated_at": now},
        )
        if not released:
            return  # another run holds the step (our claim ran out): it finishes the event
        event.attempts -= 1  # the next run's begin_run counts it again
        event.status = EventStatus.received.value
        event.next_attempt_at = now + delay
        await enqueue(
            session,
            registry.PROCESS_EVENT_JOB,
            {"event_id": event.id, "expected_attempts": event.attempts, "lane": lane.value},
            lane=lane,
            delay=delay if delay > timedelta(0) else None,
        )
        log.info(
            "event.step_deferred",
            event_id=event.id,
            step=step.name,
            lane=lane.value,
            delay_seconds=round(delay.total_seconds(), 3),
        )

    def _retry_delay(self, event: IntegrationEvent, failure: StepFailure) -> timedelta | None:
        if not failure.retryable:
            return None
        return retry.event_steps(runtime.current().settings).delay(
            event.attempts - 1, retry_after=failure.retry_after
        )

    async def retry_event(self, session: AsyncSession, event_id: int) -> IntegrationEvent:
        """Run a failed or dead event again now: its undone steps run, done ones are skipped."""
        repo = FlowRepository(session)
        event = await repo.get_event_for_update(event_id)
        if event is None:
            raise NotFound(f"event {event_id} not found")
        if event.status not in RETRYABLE_STATUSES:
            raise Conflict(
                f"event {event_id} is {event.status}: only failed or dead events can be retried",
                details={"status": event.status},
            )
        for step in await repo.steps(event.id):
            if step.status in (StepStatus.failed.value, StepStatus.dead.value):
                step.status = StepStatus.pending.value
        event.status = EventStatus.received.value
        event.next_attempt_at = None
        await dead_letters.mark_event_steps_retrying(session, event.id)
        await enqueue(
            session,
            registry.PROCESS_EVENT_JOB,
            {"event_id": event.id, "expected_attempts": event.attempts},
            lane=registry.RETRY_LANE,
            dedupe_key=f"event:{event.id}:run:{event.attempts + 1}:manual",
        )
        log.info("event.retry_requested", event_id=event.id, attempts=event.attempts)
        return event

    async def replay_from_step(
        self, session: AsyncSession, event_id: int, step_name: str
    ) -> IntegrationEvent:
        """Run an event again from one of its steps: that step and every later one run again (with
        the same idempotency keys, so targets that dedupe see the same call), earlier ones are kept."""
        repo = FlowRepository(session)
        event = await repo.get_event_for_update(event_id)
        if event is None:
            raise NotFound(f"Evento {event_id} não encontrado.")
        if event.status not in REPLAYABLE_STATUSES:
            raise Conflict(
                f"O evento {event_id} está {event.status}: só um evento processado, com falha ou na DLQ "
                "pode ser reprocessado a partir de uma etapa.",
                details={"status": event.status},
            )
        steps = list(await repo.steps(event.id))
        names = [s.name for s in steps]
        if step_name not in names:
            raise NotFound(f"O evento {event_id} não tem a etapa {step_name!r}.", details={"steps": names})
        start = names.index(step_name)
        for step in steps[start:]:
            step.status = StepStatus.pending.value
            step.last_error = None
            step.updated_at = utcnow()
        event.status = EventStatus.received.value
        event.next_attempt_at = None
        event.processed_at = None
        await dead_letters.mark_event_steps_retrying(session, event.id)
        await enqueue(
            session,
            registry.PROCESS_EVENT_JOB,
            {"event_id": event.id, "expected_attempts": event.attempts},
            lane=registry.RETRY_LANE,
            dedupe_key=f"event:{event.id}:run:{event.attempts + 1}:replay",
        )
        log.info("event.replay_requested", event_id=event.id, from_step=step_name, attempts=event.attempts)
        return event

    async def steps_view(self, session: AsyncSession, event_id: int) -> list[dict[str, Any]]:
        """The event's steps for `GET /api/events/{id}`."""
        return [
            {
                "name": s.name,
                "position": s.position,
                "status": s.status,
                "attempts": s.attempts,
                "idempotency_key": s.idempotency_key,
                "output": _parsed_output(s.output),
                "last_error": s.last_error,
                "started_at": s.started_at.isoformat() if s.started_at else None,
                "finished_at": s.finished_at.isoformat() if s.finished_at else None,
            }
            for s in await FlowRepository(session).steps(event_id)
        ]


flow_service = FlowService()
register_detail_loader("steps", flow_service.steps_view)
