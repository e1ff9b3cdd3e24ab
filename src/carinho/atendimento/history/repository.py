from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime

from sqlalchemy import select

from carinho.atendimento.history.models import HistoryEntry
from carinho.kit.repository import Repository

# The orders the audit trail can be read in (ties broken by the entry's id, the same way).
SEARCH_SORTS = {
    "created_at": HistoryEntry.created_at,
    "action": HistoryEntry.action,
    "conversation_id": HistoryEntry.conversation_id,
}


class HistoryRepository(Repository[HistoryEntry]):
    """Inserts and reads only: there is deliberately no update or delete here."""

    model = HistoryEntry

    async def for_conversation(self, conversation_id: int, limit: int = 500) -> Sequence[HistoryEntry]:
        stmt = (
            select(HistoryEntry)
            .where(HistoryEntry.conversation_id == conversation_id)
            .order_by(HistoryEntry.created_at, HistoryEntry.id)
            .limit(limit)
        )
        return (await self.session.execute(stmt)).scalars().all()

    async def recent_for_conversation(
        self, conversation_id: int, limit: int, exclude_actions: Collection[str] = ()
    ) -> tuple[Sequence[HistoryEntry], int]:
        """The conversation's newest entries first (but the actions excluded), and how many there are."""
        where = [HistoryEntry.conversation_id == conversation_id]
        if exclude_actions:
            where.append(HistoryEntry.action.not_in(list(exclude_actions)))
        stmt = (
            select(HistoryEntry)
            .where(*where)
            .order_by(HistoryEntry.created_at.desc(), HistoryEntry.id.desc())
            .limit(limit)
        )
        entries = (await self.session.execute(stmt)).scalars().all()
        if len(entries) < limit:
            return entries, len(entries)
        return entries, await self.count(*where)

    async def of_actions(
        self, conversation_id: int, actions: Collection[str], limit: int
    ) -> Sequence[HistoryEntry]:
        """The conversation's newest `limit` entries of these actions, oldest first."""
        stmt = (
            select(HistoryEntry)
            .where(HistoryEntry.conversation_id == conversation_id, HistoryEntry.action.in_(list(actions)))
            .order_by(HistoryEntry.created_at.desc(), HistoryEntry.id.desc())
            .limit(limit)
        )
        return list(reversed((await self.session.execute(stmt)).scalars().all()))

    async def search(
        self,
        *,
        conversation_id: int | None = None,
        action: str | None = None,
        category: str | None = None,
        system_only: bool = False,
        actor_type: str | None = None,
        actor_id: int | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        sort: str = "created_at",
        descending: bool = True,
        limit: int = 100,
        offset: int = 0,
    ) -> Sequence[HistoryEntry]:
        stmt = select(HistoryEntry)
        if conversation_id is not None:
            stmt = stmt.where(HistoryEntry.conversation_id == conversation_id)
        if system_only:
            stmt = stmt.where(HistoryEntry.conversation_id.is_(None))
        if action:
            stmt = stmt.where(HistoryEntry.action == action)
        if category:
            # `category` is checked by the API ([a-z_]+): no LIKE wildcard can reach here.
            stmt = stmt.where(HistoryEntry.action.like(f"{category}.%"))
        if actor_type:
            stmt = stmt.where(HistoryEntry.actor_type == actor_type)
        if actor_id is not None:
            stmt = stmt.where(HistoryEntry.actor_id == actor_id)
        if since is not None:
            stmt = stmt.where(HistoryEntry.created_at >= since)
        if until is not None:
            stmt = stmt.where(HistoryEntry.created_at < until)
        column = SEARCH_SORTS[sort]
        if descending:
            stmt = stmt.order_by(column.desc(), HistoryEntry.id.desc())
        else:
            stmt = stmt.order_by(column.asc(), HistoryEntry.id.asc())
        return await self.page_of(stmt, limit=limit, offset=offset)
