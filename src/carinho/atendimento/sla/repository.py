from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Row, and_, case, func, inspect, select, update

from carinho.atendimento.agents.models import Agent
from carinho.atendimento.inbox.models import ACTIVE_STATUSES, Conversation, DeliveryStatus, Message
from carinho.atendimento.sla.models import (
    RUNNING,
    ConversationSla,
    SlaAlertSettings,
    SlaBreach,
    SlaPolicy,
    SlaStatus,
    SlaTarget,
)
from carinho.kit.repository import SessionRepository

ACTIVE = [s.value for s in ACTIVE_STATUSES]
_ADDED_STATES = "sla.added_states"  # session.info: the states this session added


class SlaRepository(SessionRepository):
    # --- policies
    async def policies(self) -> Sequence[SlaPolicy]:
        return (await self.session.execute(select(SlaPolicy))).scalars().all()

    async def policy(self, priority: str) -> SlaPolicy | None:
        stmt = select(SlaPolicy).where(SlaPolicy.priority == priority)
        return (await self.session.execute(stmt)).scalar_one_or_none()

    # --- conversation state
    async def state(self, conversation_id: int, *, lock: bool = False) -> ConversationSla | None:
        stmt = select(ConversationSla).where(ConversationSla.conversation_id == conversation_id)
        if lock:
            stmt = stmt.with_for_update()
        return (await self.session.execute(stmt)).scalar_one_or_none()

    def add_state(self, state: ConversationSla) -> None:
        """A new state, remembered by the session (`state_in_session`): held strongly, since the
        session's identity map keeps only weak references to the rows it has flushed."""
        self.add(state)
        self.session.info.setdefault(_ADDED_STATES, []).append(state)

    def state_in_session(self, conversation_id: int) -> ConversationSla | None:
        """The conversation's state if this session added it (and it was not rolled back): no query."""
        for state in self.session.info.get(_ADDED_STATES, ()):
            if state in self.session and inspect(state).dict.get("conversation_id") == conversation_id:
                return state
        return None

    async def targets(self, conversation_id: int) -> Sequence[SlaTarget]:
        stmt = (
            select(SlaTarget)
            .where(SlaTarget.conversation_id == conversation_id)
            .order_by(SlaTarget.started_at, SlaTarget.id)
        )
        return (await self.session.execute(stmt)).scalars().all()

    async def running_targets(self, conversation_id: int) -> Sequence[SlaTarget]:
        stmt = (
            select(SlaTarget)
            .where(SlaTarget.conversation_id == conversation_id, SlaTarget.status.in_(RUNNING))
            .order_by(SlaTarget.id)
        )
        return (await self.session.execute(stmt)).scalars().all()

    async def unscheduled_targets(self, limit: int) -> list[tuple[ConversationSla, SlaTarget]]:
        """Running targets paused while their conversation is not (no business time to schedule)."""
        stmt = (
            select(ConversationSla, SlaTarget)
            .join(SlaTarget, SlaTarget.conversation_id == ConversationSla.conversation_id)
            .where(
                SlaTarget.status.in_(RUNNING),
                SlaTarget.paused_since.is_not(None),
                ConversationSla.paused_since.is_(None),
            )
            .order_by(SlaTarget.id)
            .limit(limit)
        )
        return [(state, target) for state, target in (await self.session.execute(stmt)).all()]

    async def last_cycle(self, conversation_id: int, target: str) -> int:
        stmt = select(func.max(SlaTarget.cycle)).where(
            SlaTarget.conversation_id == conversation_id, SlaTarget.target == target
        )
        return int((await self.session.execute(stmt)).scalar_one() or 0)

    async def states(
        self, statuses: list[str], visibility: Any | None, *, limit: int, offset: int
    ) -> Sequence[Row[ConversationSla, Conversation]]:
        stmt = (
            select(ConversationSla, Conversation)
            .join(Conversation, Conversation.id == ConversationSla.conversation_id)
            .where(ConversationSla.status.in_(statuses))
            .order_by(ConversationSla.conversation_id)
            .limit(limit)
            .offset(offset)
        )
        if visibility is not None:
            stmt = stmt.where(visibility)
        return (await self.session.execute(stmt)).all()

    async def breaches(self, conversation_id: int) -> Sequence[SlaBreach]:
        stmt = select(SlaBreach).where(SlaBreach.conversation_id == conversation_id).order_by(SlaBreach.id)
        return (await self.session.execute(stmt)).scalars().all()

    async def recent_breaches(
        self, since: datetime | None, until: datetime | None, *, limit: int, offset: int
    ) -> Sequence[SlaBreach]:
        stmt = select(SlaBreach).order_by(SlaBreach.detected_at.desc(), SlaBreach.id.desc())
        if since is not None:
            stmt = stmt.where(SlaBreach.detected_at >= since)
        if until is not None:
            stmt = stmt.where(SlaBreach.detected_at < until)
        return await self.page_of(stmt, limit=limit, offset=offset)

    async def open_breach(self, target_id: int) -> SlaBreach | None:
        stmt = (
            select(SlaBreach)
            .where(SlaBreach.target_id == target_id, SlaBreach.ended_at.is_(None))
            .order_by(SlaBreach.id.desc())
            .limit(1)
        )
        return (await self.session.execute(stmt)).scalar_one_or_none()

    # --- the monitor (indexed on (status, at_risk_at) and (status, due_at))
    async def becoming_at_risk(self, now: datetime, limit: int) -> Sequence[SlaTarget]:
        stmt = (
            select(SlaTarget)
            .where(
                SlaTarget.status == SlaStatus.ok.value,
                SlaTarget.at_risk_at <= now,
                SlaTarget.paused_since.is_(None),
            )
            .order_by(SlaTarget.at_risk_at, SlaTarget.id)
            .limit(limit)
        )
        return (await self.session.execute(stmt)).scalars().all()

    async def becoming_breached(self, now: datetime, limit: int) -> Sequence[SlaTarget]:
        stmt = (
            select(SlaTarget)
            .where(
                SlaTarget.status.in_([SlaStatus.ok.value, SlaStatus.at_risk.value]),
                SlaTarget.due_at <= now,
                SlaTarget.paused_since.is_(None),
            )
            .order_by(SlaTarget.due_at, SlaTarget.id)
            .limit(limit)
        )
        return (await self.session.execute(stmt)).scalars().all()

    # --- operational alerts
    async def move_status_if_unchanged(self, target: SlaTarget, after: str) -> bool:
        """Moves the target's status only if nobody moved it since it was read."""
        outcome = await self.session.execute(
            update(SlaTarget)
            .where(SlaTarget.id == target.id, SlaTarget.status == target.status)
            .values(status=after)
            .execution_options(synchronize_session=False)
        )
        return bool(getattr(outcome, "rowcount", 0))

    async def alert_settings(self) -> SlaAlertSettings | None:
        return (await self.session.execute(select(SlaAlertSettings).limit(1))).scalar_one_or_none()

    async def backlog_counts(self) -> tuple[int, int]:
        """(active conversations without an assignee, active conversations waiting for our reply)."""
        stmt = select(
            func.coalesce(func.sum(case((Conversation.assignee_id.is_(None), 1), else_=0)), 0),
            func.coalesce(func.sum(case((Conversation.waiting_since.is_not(None), 1), else_=0)), 0),
        ).where(Conversation.status.in_(ACTIVE))
        unassigned, waiting = (await self.session.execute(stmt)).one()
        return int(unassigned), int(waiting)

    async def failed_sends_since(self, since: datetime) -> int:
        stmt = select(func.count()).where(
            Message.delivery_status == DeliveryStatus.failed.value, Message.failed_at >= since
        )
        return int((await self.session.execute(stmt)).scalar_one())

    # --- people to alert
    # --- live metrics
    async def counts_by_level(self) -> Sequence[Row[str, str, int]]:
        stmt = (
            select(ConversationSla.status, Conversation.level, func.count())
            .join(Conversation, Conversation.id == ConversationSla.conversation_id)
            .where(ConversationSla.status.in_([SlaStatus.at_risk.value, SlaStatus.breached.value]))
            .group_by(ConversationSla.status, Conversation.level)
        )
        return (await self.session.execute(stmt)).all()

    async def counts_by_level_and_priority(self) -> Sequence[Row[str, str, str, int]]:
        """(status, level, priority, count) of the conversations at risk or breached now."""
        stmt = (
            select(ConversationSla.status, Conversation.level, ConversationSla.priority, func.count())
            .join(Conversation, Conversation.id == ConversationSla.conversation_id)
            .where(ConversationSla.status.in_([SlaStatus.at_risk.value, SlaStatus.breached.value]))
            .group_by(ConversationSla.status, Conversation.level, ConversationSla.priority)
        )
        return (await self.session.execute(stmt)).all()

    async def open_or_recent_breaches(self, since: datetime, *, limit: int) -> Sequence[SlaBreach]:
        """The breaches not ended yet, then those detected since `since`; the most recent first."""
        stmt = (
            select(SlaBreach)
            .where((SlaBreach.detected_at >= since) | SlaBreach.ended_at.is_(None))
            .order_by(SlaBreach.ended_at.is_not(None), SlaBreach.detected_at.desc(), SlaBreach.id.desc())
            .limit(limit)
        )
        return (await self.session.execute(stmt)).scalars().all()

    async def averages_ended_since(self, target: str, since: datetime) -> tuple[int, Any, Any]:
        stmt = select(
            func.count(SlaTarget.id), func.avg(SlaTarget.business_minutes), func.avg(SlaTarget.wall_minutes)
        ).where(
            SlaTarget.target == target,
            SlaTarget.ended_at >= since,
            SlaTarget.status == SlaStatus.met.value,
        )
        count, business, wall = (await self.session.execute(stmt)).one()
        return int(count), business, wall

    # --- reports
    def _report_where(self, since: datetime, until: datetime) -> Any:
        return and_(SlaTarget.started_at >= since, SlaTarget.started_at < until)

    async def compliance(self, since: datetime, until: datetime, group: Any) -> Sequence[Row[Any]]:
        """Per (group, target): targets decided, met in time, breached, still running."""
        stmt = (
            select(
                group.label("key"),
                SlaTarget.target,
                func.count(SlaTarget.met_in_time).label("decided"),
                func.coalesce(func.sum(case((SlaTarget.met_in_time.is_(True), 1), else_=0)), 0).label("met"),
                func.coalesce(func.sum(case((SlaTarget.met_in_time.is_(False), 1), else_=0)), 0).label(
                    "breached"
                ),
                func.coalesce(func.sum(case((SlaTarget.status.in_(RUNNING), 1), else_=0)), 0).label(
                    "running"
                ),
            )
            .where(self._report_where(since, until))
            .group_by(group, SlaTarget.target)
        )
        return (await self.session.execute(stmt)).all()

    async def timings(self, since: datetime, until: datetime, group: Any) -> Sequence[Row[Any]]:
        """Per (group, target): count and averages of the targets met (business and wall minutes)."""
        stmt = (
            select(
                group.label("key"),
                SlaTarget.target,
                func.count(SlaTarget.id).label("n"),
                func.avg(SlaTarget.business_minutes).label("avg_business"),
                func.avg(SlaTarget.wall_minutes).label("avg_wall"),
            )
            .where(self._report_where(since, until), SlaTarget.status == SlaStatus.met.value)
            .group_by(group, SlaTarget.target)
        )
        return (await self.session.execute(stmt)).all()

    async def durations(
        self, since: datetime, until: datetime, group: Any, targets: list[str]
    ) -> Sequence[Row[Any]]:
        """(group, target, business, wall) of the targets met, for the percentiles."""
        stmt = select(
            group.label("key"), SlaTarget.target, SlaTarget.business_minutes, SlaTarget.wall_minutes
        ).where(
            self._report_where(since, until),
            SlaTarget.status == SlaStatus.met.value,
            SlaTarget.target.in_(targets),
        )
        return (await self.session.execute(stmt)).all()

    async def series_rows(self, since: datetime, until: datetime, by: str) -> Sequence[Any]:
        """(started_at, group key, target, met_in_time, status, business minutes) of the targets
        started in the period; `by` is priority, agent or level (the conversation's level now)."""
        key: Any = {"priority": SlaTarget.priority, "agent": SlaTarget.agent_id, "level": Conversation.level}[
            by
        ]
        stmt = select(
            SlaTarget.started_at,
            key,
            SlaTarget.target,
            SlaTarget.met_in_time,
            SlaTarget.status,
            SlaTarget.business_minutes,
        ).where(self._report_where(since, until))
        if by == "level":
            stmt = stmt.join(Conversation, Conversation.id == SlaTarget.conversation_id)
        return (await self.session.execute(stmt)).all()

    async def agent_names(self, ids: list[int]) -> dict[int, str]:
        if not ids:
            return {}
        stmt = select(Agent.id, Agent.name).where(Agent.id.in_(ids))
        return {int(i): str(n) for i, n in (await self.session.execute(stmt)).all()}
