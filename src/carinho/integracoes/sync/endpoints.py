"""`/api/sync` (X-API-Key): runs, start one now, statistics, a run's detail."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from carinho.integracoes.apikeys.auth import ApiKeyDep
from carinho.integracoes.deps import SessionDep
from carinho.integracoes.sync.definitions import SYNCS
from carinho.integracoes.sync.models import SyncStatus
from carinho.integracoes.sync.schemas import SyncJobOut, SyncJobPage, SyncStart, SyncStats
from carinho.integracoes.sync.service import sync_service, to_out
from carinho.kit.ids import Id, QueryId
from carinho.kit.openapi_responses import documented

router = APIRouter(prefix="/api/sync", tags=["sync"])


@router.get("/jobs", response_model=SyncJobPage, summary="Sync runs, newest first")
async def list_jobs(
    session: SessionDep,
    _key: ApiKeyDep,
    sync: Annotated[str | None, Query(max_length=60)] = None,
    status: Annotated[SyncStatus | None, Query()] = None,
    before: QueryId = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> SyncJobPage:
    items, cursor = await sync_service.jobs(session, sync, status.value if status else None, before, limit)
    return SyncJobPage(items=items, next_cursor=cursor)


@router.post(
    "/start",
    status_code=202,
    response_model=SyncJobOut,
    summary="Run a sync now (queued on lane integrations-low)",
    description="`sync`: " + ", ".join(f"`{name}`" for name in SYNCS),
    responses=documented({422: "Unknown sync"}),
)
async def start_sync(session: SessionDep, _key: ApiKeyDep, body: SyncStart) -> SyncJobOut:
    return to_out(await sync_service.start(session, body.sync))


@router.get(
    "/stats",
    response_model=SyncStats,
    summary="Each sync's last run, watermark and alerts",
)
async def sync_stats(session: SessionDep, _key: ApiKeyDep) -> SyncStats:
    return await sync_service.stats(session)


@router.get(
    "/jobs/{job_id}", response_model=SyncJobOut, summary="One run", responses=documented({404: "No such run"})
)
async def get_job(session: SessionDep, _key: ApiKeyDep, job_id: Id) -> SyncJobOut:
    return to_out(await sync_service.get(session, job_id))
