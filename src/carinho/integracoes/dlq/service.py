"""The DLQ's operations: list, stats, retry (single and bulk by filter), archive, delete."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from carinho.errors import CarinhoError, Conflict, NotFound
from carinho.integracoes.deliveries.service import delivery_service
from carinho.integracoes.dlq.models import DeadLetter, DeadLetterKind, DeadLetterStatus
from carinho.integracoes.dlq.repository import DeadLetterFilters, DeadLetterRepository
from carinho.integracoes.dlq.schemas import (
    BulkRetry,
    BulkRetryResult,
    DeadLetterOut,
    DeadLetterPage,
    DeadLetterStats,
    SkippedItem,
)
from carinho.integracoes.events.service import encode_cursor
from carinho.integracoes.flows.service import flow_service
from carinho.integracoes.webhook_endpoints.service import decode_id_cursor
from carinho.kit.clock import utcnow
from carinho.logging import get_logger

log = get_logger(__name__)


def _open_filters(request: BulkRetry) -> DeadLetterFilters:
    """The open items a bulk replay request selects."""
    return DeadLetterFilters(
        status=DeadLetterStatus.open.value,
        kind=request.kind.value if request.kind else None,
        source=request.source,
        event_type=request.event_type,
        target_system=request.target_system,
        endpoint_id=request.endpoint_id,
        event_id=request.event_id,
        created_from=request.created_from,
        created_to=request.created_to,
        ids=request.ids,
    )


@dataclass(frozen=True)
class OpenSummary:
    """The console's glance at the DLQ: what is open, the oldest open item's age, per target system
    (the open items only, so that no count reads the resolved and archived history)."""

    open: int
    oldest_open_age_seconds: float | None
    open_by_target_system: dict[str, int]


def to_out(item: DeadLetter) -> DeadLetterOut:
    return DeadLetterOut.model_validate(item, from_attributes=True)


class DeadLetterService:
    async def get(self, session: AsyncSession, item_id: int, *, for_update: bool = False) -> DeadLetter:
        repo = DeadLetterRepository(session)
        item = await (repo.get_for_update(item_id) if for_update else repo.get(item_id))
        if item is None:
            raise NotFound(f"DLQ item {item_id} not found")
        return item

    async def page(
        self,
        session: AsyncSession,
        filters: DeadLetterFilters,
        cursor: str | None,
        limit: int,
        *,
        after_id: int | None = None,
    ) -> DeadLetterPage:
        """Newest first, `limit` at a time; with `after_id`, only items newer than it (the console's
        live list asks for its first page's items again, and any that arrived since)."""
        before = decode_id_cursor(cursor) if cursor else None
        rows = await DeadLetterRepository(session).page(filters, before, limit + 1, after_id)
        items = [to_out(row) for row in rows[:limit]]
        next_cursor = encode_cursor(items[-1].id) if len(rows) > limit and items else None
        return DeadLetterPage(items=items, next_cursor=next_cursor)

    async def stats(self, session: AsyncSession) -> DeadLetterStats:
        repo = DeadLetterRepository(session)
        by_status = await repo.count_by("status")
        open_status = DeadLetterStatus.open.value
        oldest = await repo.oldest_open()
        return DeadLetterStats(
            total=sum(by_status.values()),
            open=by_status.get(open_status, 0),
            by_status=by_status,
            open_by_kind=await repo.count_by("kind", open_status),
            open_by_target_system=await repo.count_by("target_system", open_status),
            open_by_event_type=await repo.count_by("event_type", open_status),
            oldest_open_at=oldest,
            oldest_open_age_seconds=round((utcnow() - oldest).total_seconds(), 1) if oldest else None,
        )

    async def open_summary(self, session: AsyncSession) -> OpenSummary:
        repo = DeadLetterRepository(session)
        oldest = await repo.oldest_open()
        by_target = await repo.open_by_target()
        return OpenSummary(
            open=sum(by_target.values()),
            oldest_open_age_seconds=round((utcnow() - oldest).total_seconds(), 1) if oldest else None,
            open_by_target_system={str(t): n for t, n in sorted(by_target.items(), key=str) if t is not None},
        )

    async def retry(self, session: AsyncSession, item_id: int) -> DeadLetter:
        item = await self.get(session, item_id, for_update=True)
        if item.status != DeadLetterStatus.open:
            raise Conflict(f"DLQ item {item_id} is {item.status}: only open items are retried")
        if item.kind == DeadLetterKind.delivery and item.delivery_id is not None:
            await delivery_service.replay(session, item.delivery_id)
            item.status = DeadLetterStatus.retrying.value
            item.replays += 1
            item.last_replayed_at = utcnow()
            item.updated_at = utcnow()
        else:
            # Marks this event's open step items (this one included) as retrying.
            await flow_service.retry_event(session, item.event_id)
            await session.refresh(item)
        log.info("dlq.retry", item_id=item.id, kind=item.kind, event_id=item.event_id)
        return item

    async def count_matching(self, session: AsyncSession, request: BulkRetry) -> int:
        """How many items `retry_matching` would replay now (at most `request.limit`): the preview
        before a bulk replay."""
        return await DeadLetterRepository(session).count_matching(_open_filters(request), request.limit)

    async def retry_matching(self, session: AsyncSession, request: BulkRetry) -> BulkRetryResult:
        ids = await DeadLetterRepository(session).ids_matching(_open_filters(request), request.limit)
        retried: list[int] = []
        skipped: list[SkippedItem] = []
        for item_id in ids:
            try:
                async with session.begin_nested():
                    await self.retry(session, item_id)
                retried.append(item_id)
            except CarinhoError as exc:
                skipped.append(SkippedItem(id=item_id, reason=exc.message))
        log.info("dlq.bulk_retry", matched=len(ids), retried=len(retried), skipped=len(skipped))
        return BulkRetryResult(matched=len(ids), retried=retried, skipped=skipped)

    async def archive(self, session: AsyncSession, item_id: int) -> DeadLetter:
        item = await self.get(session, item_id, for_update=True)
        if item.status == DeadLetterStatus.retrying:
            raise Conflict(f"DLQ item {item_id} is being retried; archive it once the replay ends")
        if item.status != DeadLetterStatus.archived:
            item.status = DeadLetterStatus.archived.value
            item.archived_at = utcnow()
            item.updated_at = utcnow()
        return item

    async def resend_delivery(self, session: AsyncSession, delivery_id: int) -> None:
        """Resend a dead delivery now: through its open DLQ item when it has one (so the item shows
        the retry), else straight to the delivery."""
        item = await DeadLetterRepository(session).by_delivery(delivery_id)
        if item is not None and item.status == DeadLetterStatus.open:
            await self.retry(session, item.id)
        else:
            await delivery_service.replay(session, delivery_id)

    async def delete(self, session: AsyncSession, item_id: int) -> None:
        if not await DeadLetterRepository(session).delete(item_id):
            raise NotFound(f"DLQ item {item_id} not found")


dead_letter_service = DeadLetterService()
