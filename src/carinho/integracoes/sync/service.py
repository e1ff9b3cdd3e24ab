"""Running a sync: read the source since the watermark, page by page; map each record with the active
mapping; skip what is unchanged since the last write; upsert the rest with an idempotency key derived
from the record and its content; record counters, errors and duration on the run's `sync_jobs` row."""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from carinho import runtime
from carinho.errors import NotFound, ValidationFailed
from carinho.integracoes.mappings.service import mapping_service
from carinho.integracoes.sync.alerts import raise_alert, sync_runs
from carinho.integracoes.sync.definitions import SYNCS, SourceRecord, SyncDefinition
from carinho.integracoes.sync.models import SyncJob, SyncRecord, SyncStatus, SyncWatermark
from carinho.integracoes.sync.repository import SyncRepository
from carinho.integracoes.sync.schemas import SyncAlertOut, SyncJobOut, SyncStats, SyncSummary
from carinho.kit.clock import utcnow
from carinho.logging import get_logger
from carinho.worker import Lane, enqueue

log = get_logger(__name__)

RUN_SYNC_JOB = "integracoes.run_sync"
MAX_ERRORS_KEPT = 50
# A run still `running` after this long died with its worker; a new run may start.
RUN_LEASE = timedelta(hours=1)


@dataclass
class RunCounters:
    read: int = 0
    created: int = 0
    updated: int = 0
    skipped: int = 0
    failed: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)
    newest: datetime | None = None  # the newest updated_at written or skipped
    oldest_failed: datetime | None = None
    fatal: str | None = None

    def error(self, source_id: str | None, message: str) -> None:
        if len(self.errors) < MAX_ERRORS_KEPT:
            self.errors.append({"source_id": source_id, "error": message[:500]})


def definition(name: str) -> SyncDefinition:
    found = SYNCS.get(name)
    if found is None:
        raise ValidationFailed(
            f"unknown sync {name!r}",
            details=[{"field": "sync", "message": f"one of: {', '.join(SYNCS)}", "type": "enum"}],
        )
    return found


def content_hash(data: dict[str, Any]) -> str:
    return hashlib.sha256(
        json.dumps(data, sort_keys=True, ensure_ascii=False, default=str).encode()
    ).hexdigest()


def _queued_job(name: str, trigger: str, now: datetime) -> SyncJob:
    return SyncJob(
        name=name, trigger=trigger, status=SyncStatus.queued.value, errors=[], created_at=now, updated_at=now
    )


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


class SyncService:
    async def start(self, session: AsyncSession, name: str, trigger: str = "manual") -> SyncJob:
        """Queue a run now (`POST /api/sync/start`); it runs on lane integrations-low."""
        definition(name)
        job = SyncRepository(session).add(_queued_job(name, trigger, utcnow()))
        await session.flush()
        await enqueue(
            session,
            RUN_SYNC_JOB,
            {"sync_job_id": job.id},
            lane=Lane.integrations_low,
            dedupe_key=f"sync-job:{job.id}",
        )
        return job

    async def run(
        self,
        job_session: AsyncSession,
        *,
        sync_job_id: int | None = None,
        name: str | None = None,
        trigger: str = "schedule",
    ) -> int | None:
        """One run; returns its `sync_jobs` id (None when there was nothing to run)."""
        db = runtime.current().db("integracoes")
        async with db.session() as session:
            begun = await self._begin(session, sync_job_id, name, trigger)
            await session.commit()
        if begun is None:
            return None
        job_id, sync, since, hashes = begun
        started = time.monotonic()
        counters = RunCounters()
        try:
            async for record in sync.read(runtime.current().settings, since):
                await self._sync_record(sync, record, hashes, counters)
        except Exception as exc:  # the source failed mid-read: what was written stays written
            counters.fatal = f"{type(exc).__name__}: {exc}"[:500]
            counters.error(None, f"reading {sync.source}: {counters.fatal}")
        await self._finish(
            job_session, job_id, sync, since, counters, int((time.monotonic() - started) * 1000)
        )
        return job_id

    async def _begin(
        self, session: AsyncSession, sync_job_id: int | None, name: str | None, trigger: str
    ) -> tuple[int, SyncDefinition, datetime | None, dict[str, str]] | None:
        repo = SyncRepository(session)
        now = utcnow()
        if sync_job_id is not None:
            job = await repo.job(sync_job_id)
            if job is None or job.status != SyncStatus.queued.value:
                return None  # ran already (a re-dispatched job)
        else:
            assert name is not None
            job = repo.add(_queued_job(name, trigger, now))
            await session.flush()
        sync = definition(job.name)
        job.started_at = now
        job.updated_at = now
        if await repo.running(job.name, now - RUN_LEASE, job.id) is not None:
            job.status = SyncStatus.skipped.value
            job.finished_at = now
            job.errors = [{"source_id": None, "error": "another run of this sync is in progress"}]
            return None
        watermark = await repo.watermark(job.name)
        job.status = SyncStatus.running.value
        job.watermark_from = watermark.watermark if watermark else None
        return job.id, sync, job.watermark_from, await repo.hashes(job.name)

    async def _sync_record(
        self, sync: SyncDefinition, record: SourceRecord, hashes: dict[str, str], counters: RunCounters
    ) -> None:
        counters.read += 1
        db = runtime.current().db("integracoes")
        try:
            async with db.session() as session:
                output, _ = await mapping_service.render(
                    session, sync.mapping, sync.target, record.data, context=record.context
                )
            if output is None:
                counters.skipped += 1
                self._advance(counters, record)
                return
            data = sync.input_model.model_validate(output)
            digest = content_hash(data.model_dump(mode="json", exclude_none=True))
            if hashes.get(record.source_id) == digest:
                counters.skipped += 1
                self._advance(counters, record)
                return
            key = f"sync.{sync.name}.{record.source_id}.{digest[:32]}"
            target_id = await sync.write(runtime.current().settings, record.source_id, data, key)
            async with db.session() as session:
                await self._remember(session, sync.name, record.source_id, digest, target_id)
                await session.commit()
        except Exception as exc:  # mapping, validation or target errors: the record failed
            counters.failed += 1
            counters.error(record.source_id, f"{type(exc).__name__}: {exc}")
            if record.updated_at is not None and (
                counters.oldest_failed is None or record.updated_at < counters.oldest_failed
            ):
                counters.oldest_failed = record.updated_at
            return
        if record.source_id in hashes:
            counters.updated += 1
        else:
            counters.created += 1
        hashes[record.source_id] = digest
        self._advance(counters, record)

    @staticmethod
    def _advance(counters: RunCounters, record: SourceRecord) -> None:
        if record.updated_at is not None and (counters.newest is None or record.updated_at > counters.newest):
            counters.newest = record.updated_at

    async def _remember(
        self, session: AsyncSession, name: str, source_id: str, digest: str, target_id: str | None
    ) -> None:
        repo = SyncRepository(session)
        row = await repo.record(name, source_id)
        if row is None:
            repo.add(
                SyncRecord(
                    name=name,
                    source_id=source_id,
                    content_hash=digest,
                    target_id=target_id,
                    synced_at=utcnow(),
                )
            )
        else:
            row.content_hash, row.target_id, row.synced_at = digest, target_id, utcnow()

    async def _finish(
        self,
        session: AsyncSession,
        job_id: int,
        sync: SyncDefinition,
        since: datetime | None,
        counters: RunCounters,
        duration_ms: int,
    ) -> None:
        repo = SyncRepository(session)
        job = await repo.job(job_id)
        assert job is not None
        now = utcnow()
        if counters.fatal is not None and counters.read == counters.failed + counters.skipped:
            status = SyncStatus.failed
        elif counters.failed or counters.fatal:
            status = SyncStatus.partial
        else:
            status = SyncStatus.succeeded
        new_mark = counters.newest
        if counters.oldest_failed is not None:
            # Failed records are read again next run (the ones after them are skipped as unchanged).
            new_mark = min(filter(None, [new_mark, counters.oldest_failed - timedelta(microseconds=1)]))
        if new_mark is not None and (since is None or new_mark > since):
            watermark = await repo.watermark(sync.name)
            if watermark is None:
                repo.add(SyncWatermark(name=sync.name, watermark=new_mark, updated_at=now))
            else:
                watermark.watermark, watermark.updated_at = new_mark, now
        job.status = status.value
        job.finished_at = now
        job.updated_at = now
        job.duration_ms = duration_ms
        job.read_count, job.created_count, job.updated_count = (
            counters.read,
            counters.created,
            counters.updated,
        )
        job.skipped_count, job.failed_count = counters.skipped, counters.failed
        job.errors = counters.errors
        job.watermark_to = new_mark if new_mark is not None else since
        sync_runs.labels(sync=sync.name, status=status.value).inc()
        log.info(
            "sync.finished",
            sync=sync.name,
            status=status.value,
            read=counters.read,
            created=counters.created,
            updated=counters.updated,
            skipped=counters.skipped,
            failed=counters.failed,
            duration_ms=duration_ms,
        )
        if status is not SyncStatus.succeeded:
            await session.flush()
            await raise_alert(session, runtime.current().settings, job)

    async def stats(self, session: AsyncSession) -> SyncStats:
        """Each sync's last run, watermark and runs of the last day; the recent alerts."""
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

    async def jobs(
        self, session: AsyncSession, name: str | None, status: str | None, before: int | None, limit: int
    ) -> tuple[list[SyncJobOut], int | None]:
        """Runs newest first, `limit` of them, and the cursor of the next (older) page."""
        rows = await SyncRepository(session).jobs(name, status, before, limit + 1)
        items = [to_out(r) for r in rows[:limit]]
        return items, items[-1].id if len(rows) > limit and items else None

    async def in_progress(self, session: AsyncSession) -> bool:
        """Whether a run is queued or running (the console refreshes itself meanwhile)."""
        repo = SyncRepository(session)
        for status in (SyncStatus.queued.value, SyncStatus.running.value):
            if await repo.jobs(None, status, None, 1):
                return True
        return False

    async def get(self, session: AsyncSession, job_id: int) -> SyncJob:
        job = await SyncRepository(session).job(job_id)
        if job is None:
            raise NotFound(f"sync job {job_id} not found")
        return job


sync_service = SyncService()
