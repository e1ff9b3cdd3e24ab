from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select, update

from carinho.atendimento.retention.models import (
    PrivacyRequest,
    RetentionPolicy,
    RetentionRun,
    RetentionSettings,
    RunStatus,
)
from carinho.kit.repository import SessionRepository


class RetentionRepository(SessionRepository):
    # --- policies and settings
    async def policies(self) -> Sequence[RetentionPolicy]:
        stmt = select(RetentionPolicy).order_by(RetentionPolicy.id)
        return (await self.session.execute(stmt)).scalars().all()

    async def settings(self) -> RetentionSettings | None:
        stmt = select(RetentionSettings).order_by(RetentionSettings.id).limit(1)
        return (await self.session.execute(stmt)).scalar_one_or_none()

    # --- runs
    async def run(self, run_id: int, *, lock: bool = False) -> RetentionRun | None:
        stmt = select(RetentionRun).where(RetentionRun.id == run_id)
        if lock:
            stmt = stmt.with_for_update()
        return (await self.session.execute(stmt)).scalar_one_or_none()

    async def running(self) -> RetentionRun | None:
        stmt = (
            select(RetentionRun)
            .where(RetentionRun.status == RunStatus.running.value)
            .order_by(RetentionRun.started_at.desc(), RetentionRun.id.desc())
            .limit(1)
        )
        return (await self.session.execute(stmt)).scalar_one_or_none()

    async def last_finished(self) -> RetentionRun | None:
        stmt = (
            select(RetentionRun)
            .where(RetentionRun.status == RunStatus.done.value)
            .order_by(RetentionRun.id.desc())
            .limit(1)
        )
        return (await self.session.execute(stmt)).scalar_one_or_none()

    async def runs(self, limit: int, offset: int) -> Sequence[RetentionRun]:
        stmt = select(RetentionRun).order_by(RetentionRun.id.desc())
        return await self.page_of(stmt, limit=limit, offset=offset)

    # --- data-subject requests
    async def request(self, request_id: int) -> PrivacyRequest | None:
        return await self.session.get(PrivacyRequest, request_id)

    async def requests(self, kind: str | None, limit: int, offset: int) -> Sequence[PrivacyRequest]:
        stmt = select(PrivacyRequest).order_by(PrivacyRequest.id.desc())
        if kind is not None:
            stmt = stmt.where(PrivacyRequest.kind == kind)
        return await self.page_of(stmt, limit=limit, offset=offset)

    async def requests_holding_exports(self) -> Sequence[PrivacyRequest]:
        stmt = select(PrivacyRequest).where(PrivacyRequest.export_data.is_not(None))
        return (await self.session.execute(stmt)).scalars().all()

    async def drop_expired_exports(self, now: datetime) -> int:
        stmt = (
            update(PrivacyRequest)
            .where(PrivacyRequest.export_data.is_not(None), PrivacyRequest.export_expires_at < now)
            .values(export_data=None)
            .execution_options(synchronize_session=False)
        )
        result = await self.session.execute(stmt)
        return int(result.rowcount or 0)  # type: ignore[attr-defined]

    async def requests_with_hub_status(self, status: str, limit: int = 500) -> Sequence[PrivacyRequest]:
        stmt = (
            select(PrivacyRequest)
            .where(PrivacyRequest.hub_status == status)
            .order_by(PrivacyRequest.id)
            .limit(limit)
        )
        return (await self.session.execute(stmt)).scalars().all()
