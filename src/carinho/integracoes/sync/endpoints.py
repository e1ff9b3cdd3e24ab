"""`/api/sync` (X-API-Key): runs, start one now, statistics, a run's detail."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Query

from carinho.integracoes.apikeys.auth import ApiKeyDep
from carinho.integracoes.deps import SessionDep
from carinho.integracoes.sync.definitions import SYNCS
from carinho.integracoes.sync.models import SyncJob, SyncStatus
from carinho.integracoes.sync.repository import SyncRepository
from carinho.integracoes.sync.schemas import (
    SyncAlertOut,
    SyncJobOut,
    SyncJobPage,
    SyncStart,
    SyncStats,
    SyncSummary,
)
from carinho.integracoes.sync.service import sync_service
from carinho.kit.clock import utcnow

router = APIRouter(prefix="/api/sync", tags=["sync"])
_ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"description": "Missing, invalid or revoked X-API-Key"},
    429: {"description": "Over the per-key rate limit"},
}


def to_out(job: SyncJob) -> SyncJobOut:
    return SyncJobOut(
        id=job.id,
        sync=job.name,
        trigger=job.trigger,
        status=job.status,
        started_at=job.started_at,
        finished_at=job.finished_at,
        duration_ms=job.duration_ms,
        read=job.read_count,
        created=job.created_count,
        updated=job.updated_count,
        skipped=job.skipped_count,
        failed=job.failed_count,
        errors=list(job.errors or []),
        watermark_from=job.watermark_from,
        watermark_to=job.watermark_to,
        created_at=job.created_at,
    )


@router.get("/jobs", response_model=SyncJobPage, summary="Sync runs, newest first", responses=_ERRORS)
async def list_jobs(
    session: SessionDep,
    _key: ApiKeyDep,
    sync: Annotated[str | None, Query(max_length=60)] = None,
    status: Annotated[SyncStatus | None, Query()] = None,
    before: Annotated[int | None, Query(ge=1)] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> SyncJobPage:
    rows = await SyncRepository(session).jobs(sync, status.value if status else None, before, limit + 1)
    items = [to_out(r) for r in rows[:limit]]
    return SyncJobPage(items=items, next_cursor=items[-1].id if len(rows) > limit and items else None)


@router.post(
    "/start",
    status_code=202,
    response_model=SyncJobOut,
    summary="Run a sync now (queued on lane integrations-low)",
    description="`sync`: " + ", ".join(f"`{name}`" for name in SYNCS),
    responses={422: {"description": "Unknown sync"}, **_ERRORS},
)
async def start_sync(session: SessionDep, _key: ApiKeyDep, body: SyncStart) -> SyncJobOut:
    return to_out(await sync_service.start(session, body.sync))


@router.get(
    "/stats",
    response_model=SyncStats,
    summary="Each sync's last run, watermark and alerts",
    responses=_ERRORS,
)
async def sync_stats(session: SessionDep, _key: ApiKeyDep) -> SyncStats:
    repo = SyncRepository(session)
    now = utcnow()
    last = await repo.last_runs()
    counts: dict[str, dict[str, int]] = {}
    for name, status, count in await repo.counts_by(now - timedelta(days=1)):
        counts.setdefault(name, {})[status] = count
    summaries = []
    for name, definition in SYNCS.items():
        watermark = await repo.watermark(name)
        summaries.append(
            SyncSummary(
                sync=name,
                description=definition.description,
                source=definition.source,
                target=definition.target,
                schedule=str(definition.trigger),
                watermark=watermark.watermark if watermark else None,
                last_run=to_out(last[name]) if name in last else None,
                runs_last_24h=counts.get(name, {}),
            )
        )
    failing = [
        name
        for name, job in last.items()
        if job.status in (SyncStatus.failed.value, SyncStatus.partial.value)
    ]
    alerts = [
        SyncAlertOut(
            id=a.id,
            sync=a.name,
            sync_job_id=a.sync_job_id,
            status=a.status,
            message=a.message,
            created_at=a.created_at,
        )
        for a in await repo.alerts(20)
    ]
    return SyncStats(generated_at=now, syncs=summaries, failing=sorted(failing), recent_alerts=alerts)


@router.get("/jobs/{job_id}", response_model=SyncJobOut, summary="One run", responses={404: {}, **_ERRORS})
async def get_job(session: SessionDep, _key: ApiKeyDep, job_id: int) -> SyncJobOut:
    return to_out(await sync_service.get(session, job_id))
