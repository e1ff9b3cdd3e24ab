"""The job that runs an event's flow."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from carinho.integracoes.flows.registry import PROCESS_EVENT_JOB
from carinho.integracoes.flows.runner import run_event
from carinho.worker import Lane, job


# The lane given at enqueue (registry.lane_for / the retry lane) wins over this default.
@job(PROCESS_EVENT_JOB, context="integracoes", lane=Lane.integrations, max_attempts=10)
async def process_event(
    session: AsyncSession, event_id: int, expected_attempts: int | None = None, lane: str | None = None
) -> None:
    """Run the event's pending steps. `expected_attempts`: the event's attempt count when this run
    was scheduled, so a run superseded by another (a manual retry) does nothing. `lane`: given when
    a run was handed over to a step's own lane (`registry.step_lane`)."""
    await run_event(session, event_id, expected_attempts, Lane(lane) if lane else None)
