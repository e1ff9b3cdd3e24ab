"""`/api/dlq`: the dead-letter queue (X-API-Key)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Query, Response

from carinho.integracoes.apikeys.auth import ApiKeyDep
from carinho.integracoes.deps import SessionDep
from carinho.integracoes.dlq.models import DeadLetterKind, DeadLetterStatus
from carinho.integracoes.dlq.repository import DeadLetterFilters
from carinho.integracoes.dlq.schemas import (
    EVENT_TYPE_PATTERN,
    SOURCE_PATTERN,
    TARGET_PATTERN,
    BulkRetry,
    BulkRetryResult,
    DeadLetterOut,
    DeadLetterPage,
    DeadLetterStats,
)
from carinho.integracoes.dlq.service import dead_letter_service, to_out
from carinho.kit.db import BIGINT_MAX
from carinho.kit.ids import Id
from carinho.kit.openapi_responses import documented

router = APIRouter(prefix="/api/dlq", tags=["dlq"])

ItemId = Id

_NOT_FOUND = documented({404: "No such DLQ item"})
_NOT_FOUND_OR_CONFLICT = documented(
    {404: "No such DLQ item", 409: "Not possible in the item's current state"}
)


def _utc(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


@router.get("", response_model=DeadLetterPage, summary="List DLQ items (newest first)")
async def list_dead_letters(
    session: SessionDep,
    _key: ApiKeyDep,
    status: Annotated[DeadLetterStatus | None, Query()] = None,
    kind: Annotated[DeadLetterKind | None, Query()] = None,
    source: Annotated[str | None, Query(max_length=40, pattern=SOURCE_PATTERN, examples=["site"])] = None,
    event_type: Annotated[
        str | None, Query(max_length=80, pattern=EVENT_TYPE_PATTERN, examples=["lead.created"])
    ] = None,
    target_system: Annotated[
        str | None, Query(max_length=40, pattern=TARGET_PATTERN, examples=["crm"])
    ] = None,
    endpoint_id: Annotated[int | None, Query(ge=1, le=BIGINT_MAX)] = None,
    event_id: Annotated[int | None, Query(ge=1, le=BIGINT_MAX)] = None,
    created_from: Annotated[datetime | None, Query(description="inclusive; naive = UTC")] = None,
    created_to: Annotated[datetime | None, Query(description="exclusive; naive = UTC")] = None,
    cursor: Annotated[
        str | None, Query(max_length=40, description="`next_cursor` of the previous page")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> DeadLetterPage:
    filters = DeadLetterFilters(
        status=status.value if status else None,
        kind=kind.value if kind else None,
        source=source,
        event_type=event_type,
        target_system=target_system,
        endpoint_id=endpoint_id,
        event_id=event_id,
        created_from=_utc(created_from),
        created_to=_utc(created_to),
    )
    return await dead_letter_service.page(session, filters, cursor, limit)


@router.get(
    "/stats",
    response_model=DeadLetterStats,
    summary="DLQ counts and oldest open item",
)
async def dead_letter_stats(session: SessionDep, _key: ApiKeyDep) -> DeadLetterStats:
    return await dead_letter_service.stats(session)


@router.post(
    "/retry",
    status_code=202,
    response_model=BulkRetryResult,
    summary="Replay every open item matching a filter",
    description=(
        "Oldest first, up to `limit`. A delivery gets one manual attempt now; a step re-runs its "
        "event (steps already done are skipped). Items that cannot be replayed (e.g. their endpoint "
        "is disabled) are listed in `skipped`."
    ),
    responses=documented({422: "Invalid filter"}),
)
async def retry_matching(body: BulkRetry, session: SessionDep, _key: ApiKeyDep) -> BulkRetryResult:
    return await dead_letter_service.retry_matching(session, body)


@router.get(
    "/{item_id}",
    response_model=DeadLetterOut,
    summary="One DLQ item",
    responses=_NOT_FOUND,
)
async def get_dead_letter(item_id: ItemId, session: SessionDep, _key: ApiKeyDep) -> DeadLetterOut:
    return to_out(await dead_letter_service.get(session, item_id))


@router.post(
    "/{item_id}/retry",
    status_code=202,
    response_model=DeadLetterOut,
    summary="Replay one item",
    description="A delivery gets one manual attempt now; a step re-runs its event (done steps are skipped).",
    responses=_NOT_FOUND_OR_CONFLICT,
)
async def retry_dead_letter(item_id: ItemId, session: SessionDep, _key: ApiKeyDep) -> DeadLetterOut:
    return to_out(await dead_letter_service.retry(session, item_id))


@router.post(
    "/{item_id}/archive",
    response_model=DeadLetterOut,
    summary="Archive one item (kept, but out of the open list)",
    responses=_NOT_FOUND_OR_CONFLICT,
)
async def archive_dead_letter(item_id: ItemId, session: SessionDep, _key: ApiKeyDep) -> DeadLetterOut:
    return to_out(await dead_letter_service.archive(session, item_id))


@router.delete(
    "/{item_id}",
    status_code=204,
    response_class=Response,
    summary="Delete one item",
    responses=_NOT_FOUND,
)
async def delete_dead_letter(item_id: ItemId, session: SessionDep, _key: ApiKeyDep) -> Response:
    await dead_letter_service.delete(session, item_id)
    return Response(status_code=204)
