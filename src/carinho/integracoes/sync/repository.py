"""Every query of the syncs."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func, select

from carinho.integracoes.sync.models import SyncAlert, SyncJob, SyncRecord, SyncStatus, SyncWatermark
from carinho.kit.repository import SessionRepository


class SyncRepository(SessionRepository):
    async def job(self, job_id: int) -> SyncJob | None:
        return await self.session.get(SyncJob, job_id)

    async def jobs(
        self, name: str | None, status: str | None, before: int | None, limit: int
    ) -> Sequence[SyncJob]:
        stmt = select(SyncJob)
        if name:
            stmt = stmt.where(SyncJob.name == name)
        if status:
            stmt = stmt.where(SyncJob.status == status)
        if before:
            stmt = stmt.where(SyncJob.id < before)
        return (await self.session.execute(stmt.order_by(SyncJob.id.desc()).limit(limit))).scalars().all()

    async def running(self, name: str, started_after: datetime, except_id: int | None) -> SyncJob | None:
        stmt = select(SyncJob).where(
            SyncJob.name == name,
            SyncJob.status == SyncStatus.running.value,
            SyncJob.started_at >= started_after,
        )
        if except_id is not None:
            stmt = stmt.where(SyncJob.id != except_id)
        return (await self.session.execute(stmt.limit(1))).scalars().first()

    async def watermark(self, name: str) -> SyncWatermark | None:
        return await self.session.get(SyncWatermark, name)

    async def hashes(self, name: str) -> dict[str, str]:
        result = await self.session.execute(
            select(SyncRecord.source_id, SyncRecord.content_hash).where(SyncRecord.name == name)
        )
        return {str(source_id): str(digest) for source_id, digest in result.all()}

    async def record(self, name: str, source_id: str) -> SyncRecord | None:
        result = await self.session.execute(
            select(SyncRecord).where(SyncRecord.name == name, SyncRecord.source_id == source_id)
        )
        return result.scalars().first()

    async def counts_by(self, since: datetime) -> list[tuple[str, str, int]]:
        result = await self.session.execute(
            select(SyncJob.name, SyncJob.status, func.count())
            .where(SyncJob.created_at >= since)
            .group_by(SyncJob.name, SyncJob.status)
        )
        return [(str(n), str(s), int(c)) for n, s, c in result.all()]

    async def last_finished_statuses(self, name: str, limit: int) -> list[str]:
        """The statuses of the sync's last `limit` finished runs, newest first."""
        finished = [SyncStatus.succeeded.value, SyncStatus.partial.value, SyncStatus.failed.value]
        stmt = (
            select(SyncJob.status)
            .where(SyncJob.name == name, SyncJob.status.in_(finished))
            .order_by(SyncJob.id.desc())
            .limit(limit)
        )
        return list((await self.session.execute(stmt)).scalars())

    async def last_runs(self) -> dict[str, SyncJob]:
        latest = (
            select(SyncJob.name, func.max(SyncJob.id).label("last_id"))
            .where(SyncJob.status.notin_([SyncStatus.queued.value, SyncStatus.skipped.value]))
            .group_by(SyncJob.name)
            .subquery()
        )
        result = await self.session.execute(select(SyncJob).join(latest, SyncJob.id == latest.c.last_id))
        return {job.name: job for job in result.scalars().all()}

    async def alerts(self, limit: int) -> Sequence[SyncAlert]:
        return (
            (await self.session.execute(select(SyncAlert).order_by(SyncAlert.id.desc()).limit(limit)))
            .scalars()
            .all()
        )
