"""Every query of the live metrics. Each one is a range or a group over an index (see the indexes
the metrics migration adds, and docs/atendimento/metrics.md)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import case, func, select

from carinho.atendimento.agents.models import Agent
from carinho.atendimento.history.models import HistoryEntry
from carinho.atendimento.inbox.models import (
    ACTIVE_STATUSES,
    Conversation,
    DeliveryStatus,
    Message,
    SenderType,
)
from carinho.atendimento.metrics.models import MessageHourCount
from carinho.kit.repository import SessionRepository

_ACTIVE = sorted(ACTIVE_STATUSES)


@dataclass(frozen=True)
class StatusLevelCount:
    status: str
    level: str
    total: int
    waiting: int
    unassigned: int


class MetricsRepository(SessionRepository):
    async def active_counts(self) -> list[StatusLevelCount]:
        unassigned = func.sum(case((Conversation.assignee_id.is_(None), 1), else_=0))
        stmt = (
            select(
                Conversation.status,
                Conversation.level,
                func.count(),
                func.count(Conversation.waiting_since),
                unassigned,
            )
            .where(Conversation.status.in_(_ACTIVE))
            .group_by(Conversation.status, Conversation.level)
        )
        rows = (await self.session.execute(stmt)).all()
        return [StatusLevelCount(s, lv, int(t), int(w or 0), int(u or 0)) for s, lv, t, w, u in rows]

    async def queue(self) -> Sequence[tuple[str, datetime]]:
        """(level, waiting_since) of every active, unassigned conversation whose customer waits."""
        stmt = (
            select(Conversation.level, Conversation.waiting_since)
            .where(
                Conversation.status.in_(_ACTIVE),
                Conversation.assignee_id.is_(None),
                Conversation.waiting_since.is_not(None),
            )
            .order_by(Conversation.waiting_since)
        )
        return [(level, since) for level, since in (await self.session.execute(stmt)).all() if since]

    async def active_load(self) -> dict[int, int]:
        stmt = (
            select(Conversation.assignee_id, func.count())
            .where(Conversation.status.in_(_ACTIVE), Conversation.assignee_id.is_not(None))
            .group_by(Conversation.assignee_id)
        )
        return {int(a): int(n) for a, n in (await self.session.execute(stmt)).all() if a is not None}

    async def active_agents(self) -> Sequence[Agent]:
        stmt = select(Agent).where(Agent.active.is_(True)).order_by(Agent.name, Agent.id)
        return (await self.session.execute(stmt)).scalars().all()

    async def last_actions(self, since: datetime) -> dict[int, datetime]:
        """Each agent's latest audit-trail entry or message since `since`."""
        seen: dict[int, datetime] = {}
        history = (
            select(HistoryEntry.actor_id, func.max(HistoryEntry.created_at))
            .where(
                HistoryEntry.created_at >= since,
                HistoryEntry.actor_type == "agent",
                HistoryEntry.actor_id.is_not(None),
            )
            .group_by(HistoryEntry.actor_id)
        )
        messages = (
            select(Message.agent_id, func.max(Message.created_at))
            .where(
                Message.created_at >= since,
                Message.sender_type == SenderType.agent,
                Message.agent_id.is_not(None),
            )
            .group_by(Message.agent_id)
        )
        for stmt in (history, messages):
            for agent_id, at in (await self.session.execute(stmt)).all():
                moment = _aware(at)
                if agent_id is None or moment is None:
                    continue
                if agent_id not in seen or moment > seen[agent_id]:
                    seen[int(agent_id)] = moment
        return seen

    async def first_responses_since(self, since: datetime) -> Sequence[tuple[datetime, datetime]]:
        stmt = select(Conversation.created_at, Conversation.first_response_at).where(
            Conversation.first_response_at >= since
        )
        return [(c, f) for c, f in (await self.session.execute(stmt)).all() if f]

    async def resolutions_since(self, since: datetime) -> Sequence[tuple[datetime, datetime]]:
        stmt = select(Conversation.created_at, Conversation.resolved_at).where(
            Conversation.resolved_at >= since
        )
        return [(c, r) for c, r in (await self.session.execute(stmt)).all() if r]

    async def message_moments(self, start: datetime, end: datetime) -> Sequence[tuple[datetime, str]]:
        """(created_at, direction) of the customer-facing messages in [start, end)."""
        stmt = select(Message.created_at, Message.direction).where(
            Message.created_at >= start,
            Message.created_at < end,
            Message.private.is_(False),
        )
        return [(at, direction) for at, direction in (await self.session.execute(stmt)).all()]

    async def failures_since(self, since: datetime) -> int:
        # Filtered on failed_at alone so the planner takes ix_messages_failed_at (the few recent
        # failures) rather than ix_messages_delivery_status (every failure ever); a resend clears
        # failed_at, and the status is checked on the rows found.
        failed = func.sum(case((Message.delivery_status == DeliveryStatus.failed, 1), else_=0))
        stmt = select(failed).where(Message.failed_at >= since)
        return int((await self.session.execute(stmt)).scalar_one() or 0)

    async def hour_counts(self, start: datetime, end: datetime) -> Sequence[MessageHourCount]:
        stmt = select(MessageHourCount).where(
            MessageHourCount.hour_start >= start, MessageHourCount.hour_start < end
        )
        return (await self.session.execute(stmt)).scalars().all()

    async def latest_counted_hour(self) -> datetime | None:
        value = (await self.session.execute(select(func.max(MessageHourCount.hour_start)))).scalar_one()
        return _aware(value)

    async def save_hours(
        self, start: datetime, end: datetime, counts: dict[datetime, tuple[int, int]], at: datetime
    ) -> None:
        """Overwrite (or create) the rows of the hours in [start, end) with fresh counts."""
        rows = {row.hour_start: row for row in await self.hour_counts(start, end)}
        for hour_start, (inbound, outbound) in counts.items():
            row = rows.get(hour_start)
            if row is None:
                row = MessageHourCount(hour_start=hour_start, inbound=0, outbound=0, counted_at=at)
                self.session.add(row)
            row.inbound, row.outbound, row.counted_at = inbound, outbound, at


def _aware(value: datetime | None) -> datetime | None:
    """func.max() bypasses the column type on some drivers: make the result aware UTC."""
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value if value.tzinfo else value.replace(tzinfo=UTC)
