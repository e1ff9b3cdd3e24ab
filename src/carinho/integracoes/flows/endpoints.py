"""`POST /api/events/{id}/retry`: run a failed or dead event again; `POST /api/events/{id}/replay`:
run an event again from one of its steps (X-API-Key)."""

from __future__ import annotations

from fastapi import APIRouter

from carinho.integracoes.apikeys.auth import ApiKeyDep
from carinho.integracoes.deps import SessionDep
from carinho.integracoes.flows.schemas import EventReplay, EventRetryResult
from carinho.integracoes.flows.service import flow_service
from carinho.kit.ids import Id
from carinho.kit.openapi_responses import documented

router = APIRouter(prefix="/api/events", tags=["events"])

_RESPONSES = documented({404: "No such event", 409: "The event is not failed or dead"})


@router.post(
    "/{event_id}/retry",
    status_code=202,
    response_model=EventRetryResult,
    summary="Retry an event",
    description=(
        "Queues a new processing run of a failed or dead event on the retry lane. Steps already "
        "done are skipped; the others run again with the same idempotency keys."
    ),
    responses=_RESPONSES,
)
async def retry_event(event_id: Id, session: SessionDep, _key: ApiKeyDep) -> EventRetryResult:
    event = await flow_service.retry_event(session, event_id)
    steps = await flow_service.steps_view(session, event_id)
    return EventRetryResult(
        event_id=event.id,
        status=event.status,
        attempts=event.attempts,
        steps_to_run=[s["name"] for s in steps if s["status"] != "done"],
    )


@router.post(
    "/{event_id}/replay",
    status_code=202,
    response_model=EventRetryResult,
    summary="Replay an event from a step",
    description=(
        "Queues a new processing run of a processed, failed or dead event on the retry lane in which "
        "`from_step` and every later step run again (with the same idempotency keys); earlier steps "
        "keep their outcome."
    ),
    responses=documented({404: "No such event", 409: "The event is being processed"}),
)
async def replay_event(
    event_id: Id,
    body: EventReplay,
    session: SessionDep,
    _key: ApiKeyDep,
) -> EventRetryResult:
    event = await flow_service.replay_from_step(session, event_id, body.from_step)
    steps = await flow_service.steps_view(session, event_id)
    return EventRetryResult(
        event_id=event.id,
        status=event.status,
        attempts=event.attempts,
        steps_to_run=[s["name"] for s in steps if s["status"] != "done"],
    )
