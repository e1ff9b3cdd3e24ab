"""All queries on the outbox table of one bounded context."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncSession

from carinho.kit.clock import utcnow
from carinho.kit.fast_ingest.batch_sql import insert_returning
from carinho.worker.lanes import Lane
from carinho.worker.models import OutboxMessageMixin, OutboxStatus


@dataclass(frozen=True)
class ClaimedMessage:
    id: int
    job: str
    args: dict[str, Any]
    attempt: int
    max_attempts: int
    time_limit_seconds: int


ACTIVE = (OutboxStatus.pending.value, OutboxStatus.running.value)


def insert_pending(
    connection: Connection, model: Any, rows: list[dict[str, Any]]
) -> list[tuple[int, str, int]]:
    """Multi-row INSERT of new pending rows on a synchronous connection; returns (id, lane, time limit)
    of each, in no particular order."""
    values = [{**row, "status": OutboxStatus.pending.value, "attempts": 0} for row in rows]
    added = insert_returning(connection, model.__table__, values, ("id", "lane", "time_limit_seconds"))
    return [(row.id, row.lane, row.time_limit_seconds) for row in added]


class OutboxRepository:
    def __init__(self, session: AsyncSession, model: type[OutboxMessageMixin]) -> None:
        self.session = session
        self.model: Any = model

    async def add(self, **values: Any) -> OutboxMessageMixin:
        row = self.model(**values, status=OutboxStatus.pending.value, attempts=0)
        self.session.add(row)
        await self.session.flush()
        return row

    async def get(self, outbox_id: int) -> OutboxMessageMixin | None:
        return await self.session.get(self.model, outbox_id)

    async def find_by_dedupe_key(self, key: str) -> int | None:
        result = await self.session.execute(select(self.model.id).where(self.model.dedupe_key == key))
        return result.scalar_one_or_none()

    async def running_since(self, job: str, dedupe_key_prefix: str, since: datetime) -> bool:
        """Whether a `job` whose dedupe key starts with the prefix is running, started after `since`."""
        m = self.model
        stmt = select(m.id).where(
            m.job == job,
            m.status == OutboxStatus.running.value,
            m.started_at > since,
            m.dedupe_key.like(f"{dedupe_key_prefix}%"),
        )
        return (await self.session.execute(stmt)).first() is not None

    async def pending_or_running(self, job: str, dedupe_key_prefix: str) -> bool:
        """Whether a `job` whose dedupe key starts with the prefix is waiting or running."""
        m = self.model
        stmt = select(m.id).where(
            m.job == job,
            m.status.in_((OutboxStatus.pending.value, OutboxStatus.running.value)),
            m.dedupe_key.like(f"{dedupe_key_prefix}%"),
        )
        return (await self.session.execute(stmt)).first() is not None

    async def claim(
        self, outbox_id: int, token: str, now: datetime, lease_seconds: float = 30.0
    ) -> ClaimedMessage | None:
        """Take the row for one run if it is pending and due, under a short lease its worker renews
        while the job runs (`renew`). Exactly one claimant wins."""
        m = self.model
        found = (
            await self.session.execute(
                select(m.job, m.args, m.attempts, m.max_attempts, m.time_limit_seconds).where(
                    m.id == outbox_id
                )
            )
        ).one_or_none()
        if found is None:
            return None
        lease_until = now + timedelta(seconds=lease_seconds)
        result = await self.session.execute(
            update(m)
            .where(m.id == outbox_id, m.status == OutboxStatus.pending.value, m.available_at <= now)
            .values(
                status=OutboxStatus.running.value,
                claimed_by=token,
                attempts=m.attempts + 1,
                started_at=now,
                visible_at=lease_until,
            )
            .execution_options(synchronize_session=False)
        )
        if result.rowcount != 1:  # type: ignore[attr-defined]
            return None
        return ClaimedMessage(
            id=outbox_id,
            job=found.job,
            args=dict(found.args or {}),
            attempt=found.attempts + 1,
            max_attempts=found.max_attempts,
            time_limit_seconds=found.time_limit_seconds,
        )

    async def renew(self, outbox_id: int, token: str, now: datetime, lease_seconds: float) -> bool:
        """Extend our running claim; False when it is no longer ours (expired and handed on)."""
        m = self.model
        result = await self.session.execute(
            update(m)
            .where(m.id == outbox_id, m.claimed_by == token, m.status == OutboxStatus.running.value)
            .values(visible_at=now + timedelta(seconds=lease_seconds))
            .execution_options(synchronize_session=False)
        )
        return bool(result.rowcount == 1)  # type: ignore[attr-defined]

    async def complete(self, outbox_id: int, token: str) -> bool:
        """Mark done, fenced by the claim token: a worker whose lease was taken cannot complete."""
        m = self.model
        result = await self.session.execute(
            update(m)
            .where(m.id == outbox_id, m.claimed_by == token, m.status == OutboxStatus.running.value)
            .values(status=OutboxStatus.done.value, completed_at=utcnow(), last_error=None)
            .execution_options(synchronize_session=False)
        )
        return bool(result.rowcount == 1)  # type: ignore[attr-defined]

    async def fail(self, outbox_id: int, token: str, error: str, retry_at: datetime | None) -> bool:
        m = self.model
        values: dict[str, Any] = {"last_error": error[:4000], "claimed_by": None}
        if retry_at is None:
            values.update(status=OutboxStatus.failed.value, completed_at=utcnow())
        else:
            values.update(status=OutboxStatus.pending.value, available_at=retry_at, visible_at=retry_at)
        result = await self.session.execute(
            update(m)
            .where(m.id == outbox_id, m.claimed_by == token, m.status == OutboxStatus.running.value)
            .values(**values)
            .execution_options(synchronize_session=False)
        )
        return bool(result.rowcount == 1)  # type: ignore[attr-defined]

    async def take_due(self, now: datetime, lease: timedelta, limit: int) -> list[tuple[int, str, int, str]]:
        """Rows the relay must (re)publish: due and not under a live lease, as (id, lane, time limit,
        status before); a `running` one's worker stopped renewing its lease. Leases them again."""
        m = self.model
        stmt = (
            select(m.id, m.lane, m.time_limit_seconds, m.status)
            .where(m.status.in_(ACTIVE), m.visible_at <= now)
            .order_by(m.visible_at)
            .limit(limit)
        )
        if self.session.get_bind().dialect.name != "sqlite":
            stmt = stmt.with_for_update(skip_locked=True)
        rows = [(r.id, r.lane, r.time_limit_seconds, r.status) for r in await self.session.execute(stmt)]
        if rows:
            await self.session.execute(
                update(m)
                .where(m.id.in_([r[0] for r in rows]))
                .values(status=OutboxStatus.pending.value, claimed_by=None, visible_at=now + lease)
                .execution_options(synchronize_session=False)
            )
        return rows

    async def release_all(self) -> int:
        """Embedded profile at boot: the in-memory broker lost everything, so all live rows are due
        (at their own time) again."""
        m = self.model
        result = await self.session.execute(
            update(m)
            .where(m.status.in_(ACTIVE))
            .values(status=OutboxStatus.pending.value, claimed_by=None, visible_at=m.available_at)
            .execution_options(synchronize_session=False)
        )
        return int(result.rowcount)  # type: ignore[attr-defined]

    async def counts_by_lane(self) -> dict[str, dict[str, int]]:
        """Per lane, its rows not done by status (none: absent). Each (lane, status) is counted on its
        own range of the (lane, status, available_at) index, so the done rows (a day of them at the
        ingest's pace, until the purge) are never walked."""
        m = self.model
        keys = [
            (lane.value, status.value)
            for lane in Lane
            for status in OutboxStatus
            if status != OutboxStatus.done
        ]
        counts_of = (
            select(func.count()).select_from(m).where(m.lane == lane, m.status == status).scalar_subquery()
            for lane, status in keys
        )
        row = (await self.session.execute(select(*counts_of))).one()
        counts: dict[str, dict[str, int]] = {}
        for (lane, status), count in zip(keys, row, strict=True):
            if count:
                counts.setdefault(lane, {})[status] = int(count)
        return counts

    async def expired_leases(self, now: datetime) -> int:
        """Rows still `running` whose lease ran out: their worker died (or hangs); the relay takes them."""
        m = self.model
        result = await self.session.execute(
            select(func.count()).where(m.status == OutboxStatus.running.value, m.visible_at <= now)
        )
        return int(result.scalar_one())

    async def oldest_due_pending_by_lane(self, now: datetime) -> dict[str, datetime]:
        """Per lane, when its oldest due pending work became due (lanes with none are absent): one
        lookup per lane in the (lane, status, available_at) index, never a walk through the backlog
        (at the ingest's saturation, hundreds of thousands of rows)."""
        m = self.model
        lanes = [lane.value for lane in Lane]
        oldest = (
            select(func.min(m.available_at))
            .where(m.lane == lane, m.status == OutboxStatus.pending.value, m.available_at <= now)
            .scalar_subquery()
            for lane in lanes
        )
        row = (await self.session.execute(select(*oldest))).one()
        return {lane: when for lane, when in zip(lanes, row, strict=True) if when is not None}

    async def delete_done_before(self, cutoff: datetime) -> int:
        m = self.model
        result = await self.session.execute(
            delete(m).where(m.status == OutboxStatus.done.value, m.completed_at < cutoff)
        )
        return int(result.rowcount)  # type: ignore[attr-defined]
