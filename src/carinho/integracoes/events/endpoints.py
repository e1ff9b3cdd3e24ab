"""`/api/events`: list, submit, statistics and detail of integration events (X-API-Key)."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Header, Query, Request, Response
from pydantic import ValidationError

from carinho.errors import ValidationFailed
from carinho.integracoes.apikeys.auth import ApiKeyDep
from carinho.integracoes.deps import SessionDep
from carinho.integracoes.events.ingest import ingest
from carinho.integracoes.events.models import EventStatus
from carinho.integracoes.events.repository import EventFilters
from carinho.integracoes.events.schemas import EventCreate, EventDetail, EventPage, EventStats, IngestResponse
from carinho.integracoes.events.service import NewEvent, event_service, normalize_key
from carinho.integracoes.webhooks.service import validation_details
from carinho.integracoes.webhooks.sources import SYSTEM_WEBHOOKS
from carinho.kit.ids import Id
from carinho.kit.openapi_responses import documented

router = APIRouter(prefix="/api/events", tags=["events"])

_MODELS_BY_TYPE = {hook.event_type: hook.model for hook in SYSTEM_WEBHOOKS}


def _utc(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


@router.get("", response_model=EventPage, summary="List events (newest first)")
async def list_events(
    session: SessionDep,
    _key: ApiKeyDep,
    source: Annotated[str | None, Query(max_length=40, examples=["site"])] = None,
    type: Annotated[str | None, Query(max_length=80, examples=["lead.created"])] = None,
    status: Annotated[EventStatus | None, Query()] = None,
    created_from: Annotated[datetime | None, Query(description="inclusive; naive = UTC")] = None,
    created_to: Annotated[datetime | None, Query(description="exclusive; naive = UTC")] = None,
    idempotency_key: Annotated[str | None, Query(max_length=190)] = None,
    contact: Annotated[
        str | None,
        Query(
            max_length=254,
            description="a phone (with area code) or an e-mail found in the payload, matched by a keyed hash",
        ),
    ] = None,
    cursor: Annotated[
        str | None, Query(max_length=40, description="`next_cursor` of the previous page")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> EventPage:
    filters = EventFilters(
        source=source,
        event_type=type,
        status=status.value if status else None,
        created_from=_utc(created_from),
        created_to=_utc(created_to),
        idempotency_key=idempotency_key,
    )
    return await event_service.page(session, event_service.with_contact(filters, contact), cursor, limit)


@router.post(
    "",
    status_code=202,
    response_model=IngestResponse,
    summary="Submit an event",
    description=(
        "Stores the event durably (with its processing job) before answering 202. The same "
        "(source, idempotency_key) again answers 200 with the first event's id and `duplicate: true`. "
        "Payloads of the webhook event types (lead.created, client.registered, ...) are validated and "
        "normalised like the webhooks'. Default idempotency key: the SHA-256 of the payload."
    ),
    responses={
        200: {"model": IngestResponse, "description": "Duplicate"},
        **documented({422: "Invalid fields"}),
    },
)
async def create_event(
    request: Request,
    response: Response,
    session: SessionDep,
    body: EventCreate,
    _key: ApiKeyDep,
    idempotency_key: Annotated[str | None, Header(alias="Idempotency-Key", max_length=190)] = None,
) -> IngestResponse:
    payload: dict[str, Any] | str = body.payload
    model = _MODELS_BY_TYPE.get(body.type)
    if model is not None:
        try:
            payload = model.model_validate(payload).normalized()
        except ValidationError as exc:
            details = validation_details(exc)
            for item in details:
                item["field"] = f"payload.{item['field']}"
            raise ValidationFailed("the payload has invalid fields", details=details) from None
    key = body.idempotency_key or idempotency_key
    if not key:
        canonical = json.dumps(body.payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        key = "sha256:" + hashlib.sha256(canonical.encode()).hexdigest()
    event = NewEvent(
        source=body.source,
        event_type=body.type,
        idempotency_key=normalize_key(key),
        payload=payload,
        request_id=getattr(request.state, "request_id", None),
    )
    # End the request's own transaction (the key lookup) first: the event is stored in the group-commit
    # transaction, and on SQLite every transaction holds the write lock.
    await session.commit()
    result = await ingest(request.app.state.runtime, event)
    if result.duplicate:
        response.status_code = 200
    return IngestResponse(event_id=result.event_id, status=result.status, duplicate=result.duplicate)


@router.get(
    "/stats",
    response_model=EventStats,
    summary="Counts, error rate and processing latency (last hour and day)",
)
async def event_stats(session: SessionDep, _key: ApiKeyDep) -> EventStats:
    return await event_service.stats(session)


@router.get(
    "/{event_id}",
    response_model=EventDetail,
    summary="One event with its payload, steps and deliveries",
    responses=documented({404: "No such event"}),
)
async def get_event(event_id: Id, session: SessionDep, _key: ApiKeyDep) -> EventDetail:
    return await event_service.detail(session, event_id)
