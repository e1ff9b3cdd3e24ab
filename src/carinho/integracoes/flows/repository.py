"""All queries of the flow runner: step rows, and the event row's processing state."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, insert, or_, select, update
from sqlalchemy.orm import undefer

from carinho.integracoes.events.models import EventStatus, IntegrationEvent
from carinho.integracoes.flows.models import EventStep, StepStatus
from carinho.integracoes.mappings.repository import MappingRepository
from carinho.integracoes.webhook_endpoints.repository import WebhookEndpointRepository
from carinho.kit.repository import SessionRepository


@dataclass(frozen=True)
class EventForRun:
    """The event row, locked, and what the run reads of the hub's configuration with it."""

    event: IntegrationEvent
    mappings_token: str | None  # the mappings' generation counter (None: no row yet)
    mappings_generation: int | None
    endpoints_enabled: bool  # whether any outbound endpoint is enabled


class FlowRepository(SessionRepository):
    async def get_event(self, event_id: int) -> IntegrationEvent | None:
        return await self.session.get(IntegrationEvent, event_id)

    async def get_event_for_update(self, event_id: int) -> IntegrationEvent | None:
        return await self.one_locked(select(IntegrationEvent).where(IntegrationEvent.id == event_id))

    async def event_for_run(self, event_id: int) -> EventForRun | None:
        """The event locked for a run's start, with its raw body, the mappings' generation counter and
        whether any endpoint is enabled, read as columns of the same statement (scalar subqueries:
        plain reads, never locked, of the statement's snapshot)."""
        token, generation = MappingRepository.generation_columns()
        endpoints = WebhookEndpointRepository.any_enabled_column()
        stmt = (
            select(IntegrationEvent, token, generation, endpoints)
            .where(IntegrationEvent.id == event_id)
            .options(undefer(IntegrationEvent.raw_body))  # the steps that forward it need it
        )
        row = (await self.session.execute(self.locked(stmt, of=IntegrationEvent))).first()
        if row is None:
            return None
        return EventForRun(row[0], row[1], row[2], bool(row[3]))

    async def mark_processed(self, event_id: int, now: datetime) -> None:
        """The event's run ended with every step done: one UPDATE, without reading the row."""
        await self.session.execute(
            update(IntegrationEvent)
            .where(IntegrationEvent.id == event_id)
            .values(
                status=EventStatus.processed.value, processed_at=now, last_error=None, next_attempt_at=None
            )
            .execution_options(synchronize_session=False)
        )

    async def steps(self, event_id: int) -> Sequence[EventStep]:
        result = await self.session.execute(
            select(EventStep).where(EventStep.event_id == event_id).order_by(EventStep.position)
        )
        return result.scalars().all()

    async def steps_for_events(self, event_ids: Sequence[int]) -> Sequence[EventStep]:
        result = await self.session.execute(
            select(EventStep)
            .where(EventStep.event_id.in_(event_ids))
            .order_by(EventStep.event_id, EventStep.position)
        )
        return result.scalars().all()

    async def get_step(self, step_id: int) -> EventStep | None:
        return await self.session.get(EventStep, step_id)

    async def add_steps(self, rows: list[dict[str, Any]]) -> list[EventStep]:
        """Insert an event's new step rows: in one statement where the database returns the rows it
        inserted (the ORM inserts them one by one on SQLite, whose row order it cannot rely on; the
        order does not matter here, the caller finds each by name)."""
        if not rows:
            return []
        if self.session.get_bind().dialect.insert_returning:
            # render_nulls: rows whose None columns differ (a first run's first step is claimed)
            # still go in one statement; the ORM would batch them by the columns they set.
            inserted = await self.session.scalars(
                insert(EventStep).returning(EventStep), rows, execution_options={"render_nulls": True}
            )
            return list(inserted.all())
        steps = [EventStep(**row) for row in rows]
        self.session.add_all(steps)
        await self.session.flush()
        return steps

    async def claim_step(self, step_id: int, token: str, now: datetime, until: datetime) -> bool:
        """Take a step for one run: not done, and not held by a live run. Exactly one wins."""
        result = await self.session.execute(
            update(EventStep)
            .where(*_claimable(step_id, now))
            .values(
                claimed_by=token,
                claimed_until=until,
                attempts=EventStep.attempts + 1,
                started_at=now,
            )
            .execution_options(synchronize_session=False)
        )
        return bool(result.rowcount == 1)  # type: ignore[attr-defined]

    async def claim_and_release_step(self, step_id: int, now: datetime, values: dict[str, object]) -> bool:
        """Take a step and record its outcome in one statement: for a step that already ran in this
        transaction (which the caller undoes when another run holds the step)."""
        result = await self.session.execute(
            update(EventStep)
            .where(*_claimable(step_id, now))
            .values(claimed_by=None, claimed_until=None, attempts=EventStep.attempts + 1, **values)
            .execution_options(synchronize_session=False)
        )
        return bool(result.rowcount == 1)  # type: ignore[attr-defined]

    async def release_step(self, step_id: int, token: str, values: dict[str, object]) -> bool:
        """Record a step's outcome, fenced by the claim token."""
        result = await self.session.execute(
            update(EventStep)
            .where(EventStep.id == step_id, EventStep.claimed_by == token)
            .values(claimed_by=None, claimed_until=None, **values)
            .execution_options(synchronize_session=False)
        )
        return bool(result.rowcount == 1)  # type: ignore[attr-defined]


def _claimable(step_id: int, now: datetime) -> tuple[ColumnElement[bool], ...]:
    """Not done, and not held by a live run."""
    return (
        EventStep.id == step_id,
        EventStep.status.in_([StepStatus.pending.value, StepStatus.failed.value]),
        or_(EventStep.claimed_until.is_(None), EventStep.claimed_until <= now),
    )
