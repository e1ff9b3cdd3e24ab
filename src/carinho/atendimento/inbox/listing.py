"""The inbox list's queries: one page of conversations ordered by urgency, and what each row shows.

A page costs a constant number of queries whatever its size: its order (narrow rows: ids and the
earliest SLA deadline; a second one for finished conversations when they are asked for), its rows
(conversation, contact, SLA state), then the labels, the last message and the unread counts of the
page's ids, the tab counts and the unread total (one query each). Every query reads through indexes.

Unread, per agent: the customer's messages still waiting for a reply (at or after the
conversation's `waiting_since`, which a person's reply clears) that arrived after the last message
the agent had on screen (`conversation_reads`). A conversation someone answered has nothing unread.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import and_, case, func, literal, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import contains_eager

from carinho.atendimento.inbox.models import (
    ACTIVE_STATUSES,
    Contact,
    Conversation,
    ConversationRead,
    ConversationStatus,
    Direction,
    Message,
    SenderType,
    conversation_labels,
)
from carinho.atendimento.inbox.repository import contact_match
from carinho.atendimento.inbox.text_search import message_text_match
from carinho.atendimento.inbox.urgency import priority_rank, urgent_first
from carinho.atendimento.labels.models import Label
from carinho.atendimento.sla.models import RUNNING, ConversationSla, SlaTarget
from carinho.kit.clock import utcnow
from carinho.kit.repository import SessionRepository

ACTIVE = frozenset(s.value for s in ACTIVE_STATUSES)


class InboxTab(StrEnum):
    mine = "mine"
    unassigned = "unassigned"
    all = "all"


@dataclass
class ListingFilters:
    """What narrows the list (the tab's rule and the visibility come as WHERE clauses apart)."""

    statuses: list[str] = field(default_factory=list)
    priority: str | None = None
    label_id: int | None = None
    funnel_stage: str | None = None
    sla_status: str | None = None
    search: str | None = None


@dataclass
class ListingRow:
    conversation: Conversation  # with its contact loaded
    sla_status: str | None
    sla_due_at: datetime | None
    labels: list[Label] = field(default_factory=list)
    last_message: Message | None = None
    unread: int = 0


@dataclass
class TabCounts:
    mine: int = 0
    unassigned: int = 0
    all: int = 0


@dataclass
class InboxList:
    rows: list[ListingRow]
    counts: TabCounts | None
    has_more: bool
    unread_total: int


def _earliest_due() -> Any:
    """Per conversation, the earliest deadline among its running targets whose clock runs (a paused
    target's deadline moves when the pause ends, so it is not pending)."""
    return (
        select(
            SlaTarget.conversation_id.label("conversation_id"),
            func.min(SlaTarget.due_at).label("due_at"),
        )
        .where(SlaTarget.status.in_(RUNNING), SlaTarget.paused_since.is_(None))
        .group_by(SlaTarget.conversation_id)
        .subquery("sla_due")
    )


def _searching(filters: ListingFilters) -> bool:
    return bool(filters.search and filters.search.strip())


def _narrowed(stmt: Any, filters: ListingFilters, clauses: Sequence[Any], statuses: Sequence[str]) -> Any:
    """`stmt` (on conversations) limited by the clauses (visibility, tab) and the filters; joins
    contacts and the SLA state only when a filter needs them."""
    for clause in clauses:
        if clause is not None:
            stmt = stmt.where(clause)
    if statuses:
        stmt = stmt.where(Conversation.status.in_(statuses))
    if filters.priority:
        stmt = stmt.where(Conversation.priority == filters.priority)
    if filters.funnel_stage:
        stmt = stmt.where(Conversation.funnel_stage == filters.funnel_stage)
    if filters.label_id is not None:
        stmt = stmt.where(
            select(literal(1))
            .where(
                conversation_labels.c.conversation_id == Conversation.id,
                conversation_labels.c.label_id == filters.label_id,
            )
            .exists()
        )
    if filters.sla_status:
        stmt = stmt.join(ConversationSla, ConversationSla.conversation_id == Conversation.id).where(
            ConversationSla.status == filters.sla_status
        )
    if _searching(filters):
        assert filters.search is not None
        term = filters.search.strip()
        stmt = stmt.join(Contact, Contact.id == Conversation.contact_id).where(
            or_(contact_match(term), message_text_match(term))
        )
    return stmt


def _split(statuses: Sequence[str]) -> tuple[list[str], list[str]]:
    """(the active statuses, the finished ones) asked for; none asked means every status."""
    every = [s.value for s in ConversationStatus]
    chosen = [s for s in every if s in statuses] if statuses else every
    return [s for s in chosen if s in ACTIVE], [s for s in chosen if s not in ACTIVE]


class ListingRepository(SessionRepository):
    async def page(self, filters: ListingFilters, clauses: Sequence[Any], *, limit: int) -> list[ListingRow]:
        """The first `limit` conversations, most urgent first. Conversations in progress come
        urgent ones first (an emergency is always on top, as in every list: inbox/urgency.py), then
        by the earliest pending SLA deadline (breached ones have theirs in the past), then priority,
        then the longest waiting, then the latest activity; finished ones (no SLA running, nobody
        waiting) after them, the latest first — an order an index gives, however many there are.

        The order is found on narrow rows (ids and sort keys), then the page's rows are loaded."""
        active, finished = _split(filters.statuses)
        order: list[tuple[int, datetime | None]] = []
        if active:
            due = _earliest_due()
            stmt = select(Conversation.id, due.c.due_at).outerjoin(
                due, due.c.conversation_id == Conversation.id
            )
            stmt = _narrowed(stmt, filters, clauses, active).order_by(
                urgent_first(),
                due.c.due_at.is_(None),
                due.c.due_at,
                priority_rank(),
                Conversation.waiting_since.is_(None),
                Conversation.waiting_since,
                Conversation.last_activity_at.desc(),
                Conversation.id.desc(),
            )
            order += [(int(i), d) for i, d in await self.session.execute(stmt.limit(limit))]
        if finished and len(order) < limit:
            # Written as "not the other statuses": the latest-activity index then gives the order
            # and the scan stops at `limit` rows (a search among thousands of finished
            # conversations reads only as many as it needs).
            others = [s.value for s in ConversationStatus if s.value not in finished]
            stmt = (
                _narrowed(select(Conversation.id), filters, clauses, [])
                .where(Conversation.status.not_in(others))
                .order_by(Conversation.last_activity_at.desc(), Conversation.id.desc())
            )
            order += [
                (int(i), None) for i in (await self.session.execute(stmt.limit(limit - len(order)))).scalars()
            ]
        if not order:
            return []
        stmt = (
            select(Conversation, ConversationSla.status)
            .join(Contact, Contact.id == Conversation.contact_id)
            .outerjoin(ConversationSla, ConversationSla.conversation_id == Conversation.id)
            .options(contains_eager(Conversation.contact))
            .where(Conversation.id.in_([i for i, _ in order]))
        )
        loaded = {c.id: (c, status) for c, status in (await self.session.execute(stmt)).all()}
        return [ListingRow(loaded[i][0], loaded[i][1], due_at) for i, due_at in order if i in loaded]

    async def tab_counts(
        self, filters: ListingFilters, clauses: Sequence[Any], mine: Any, unassigned: Any
    ) -> TabCounts:
        """How many conversations each tab holds under the same filters (one pass)."""
        stmt = select(
            func.coalesce(func.sum(case((mine, 1), else_=0)), 0),
            func.coalesce(func.sum(case((unassigned, 1), else_=0)), 0),
            func.count(),
        ).select_from(Conversation)
        stmt = _narrowed(stmt, filters, clauses, filters.statuses)
        mine_n, unassigned_n, all_n = (await self.session.execute(stmt)).one()
        return TabCounts(int(mine_n), int(unassigned_n), int(all_n))

    async def labels_of(self, conversation_ids: Sequence[int]) -> dict[int, list[Label]]:
        if not conversation_ids:
            return {}
        stmt = (
            select(conversation_labels.c.conversation_id, Label)
            .join(Label, Label.id == conversation_labels.c.label_id)
            .where(conversation_labels.c.conversation_id.in_(conversation_ids))
            .order_by(Label.name)
        )
        found: dict[int, list[Label]] = {}
        for conversation_id, label in await self.session.execute(stmt):
            found.setdefault(int(conversation_id), []).append(label)
        return found

    async def last_messages(self, conversation_ids: Sequence[int]) -> dict[int, Message]:
        """Each conversation's latest message written by a person, the customer or an attendant
        (internal notes and automatic messages, such as the welcome, left out)."""
        if not conversation_ids:
            return {}
        latest = (
            select(Message.id)
            .where(
                Message.conversation_id == Conversation.id,
                Message.private.is_(False),
                Message.automation.is_(None),
                Message.sender_type != SenderType.automation.value,
            )
            .order_by(Message.created_at.desc(), Message.id.desc())
            .limit(1)
            .correlate(Conversation)
            .scalar_subquery()
        )
        picks = select(latest.label("message_id")).where(Conversation.id.in_(conversation_ids)).subquery()
        stmt = select(Message).join(picks, Message.id == picks.c.message_id)
        return {m.conversation_id: m for m in (await self.session.execute(stmt)).scalars()}

    def _unread(self, agent_id: int, *columns: Any) -> Any:
        return (
            select(*columns)
            .select_from(Message)
            .join(Conversation, Conversation.id == Message.conversation_id)
            .outerjoin(
                ConversationRead,
                and_(
                    ConversationRead.conversation_id == Message.conversation_id,
                    ConversationRead.agent_id == agent_id,
                ),
            )
            .where(
                Conversation.waiting_since.is_not(None),
                Message.created_at >= Conversation.waiting_since,
                Message.direction == Direction.inbound.value,
                Message.private.is_(False),
                or_(
                    ConversationRead.last_read_message_id.is_(None),
                    Message.id > ConversationRead.last_read_message_id,
                ),
            )
        )

    async def unread_counts(self, agent_id: int, conversation_ids: Sequence[int]) -> dict[int, int]:
        if not conversation_ids:
            return {}
        stmt = (
            self._unread(agent_id, Message.conversation_id, func.count())
            .where(Message.conversation_id.in_(conversation_ids))
            .group_by(Message.conversation_id)
        )
        return {int(c): int(n) for c, n in await self.session.execute(stmt)}

    async def unread_total(self, agent_id: int, scope: Any) -> int:
        """Unread messages over the conversations `scope` selects (a WHERE clause on conversations)."""
        stmt = self._unread(agent_id, func.count()).where(scope)
        return int((await self.session.execute(stmt)).scalar_one())

    async def mark_read(self, conversation_id: int, agent_id: int) -> None:
        """The agent has had the conversation on screen up to its latest message (moves forward only)."""
        last = (
            await self.session.execute(
                select(func.max(Message.id)).where(Message.conversation_id == conversation_id)
            )
        ).scalar_one_or_none()
        if last is None:
            return
        row = await self.session.get(ConversationRead, (conversation_id, agent_id))
        if row is None:
            try:
                async with self.session.begin_nested():
                    self.session.add(
                        ConversationRead(
                            conversation_id=conversation_id,
                            agent_id=agent_id,
                            last_read_message_id=last,
                            read_at=utcnow(),
                        )
                    )
                return
            except IntegrityError:  # the same agent's other request got there first
                row = await self.session.get(
                    ConversationRead, (conversation_id, agent_id), populate_existing=True
                )
                if row is None:
                    return
        if row.last_read_message_id < last:
            row.last_read_message_id = last
            row.read_at = utcnow()
