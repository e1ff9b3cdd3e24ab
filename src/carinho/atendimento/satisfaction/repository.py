from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import case, func, null, select, update

from carinho.atendimento.agents.models import Agent, Role
from carinho.atendimento.inbox.models import Direction, Message, conversation_labels
from carinho.atendimento.labels.models import Label
from carinho.atendimento.satisfaction.models import (
    AnswerChannel,
    Followup,
    FollowupStatus,
    SatisfactionSettings,
    Survey,
    SurveyStatus,
)
from carinho.kit.repository import SessionRepository


class SatisfactionRepository(SessionRepository):
    # --- settings
    async def settings(self) -> SatisfactionSettings | None:
        stmt = select(SatisfactionSettings).order_by(SatisfactionSettings.id).limit(1)
        return (await self.session.execute(stmt)).scalar_one_or_none()

    # --- surveys
    async def survey(self, survey_id: int) -> Survey | None:
        return await self.session.get(Survey, survey_id)

    async def for_conversation(self, conversation_id: int) -> Survey | None:
        stmt = select(Survey).where(Survey.conversation_key == conversation_id)
        return (await self.session.execute(stmt)).scalar_one_or_none()

    async def in_conversation(self, conversation_id: int) -> Sequence[Survey]:
        stmt = select(Survey).where(Survey.conversation_id == conversation_id).order_by(Survey.id)
        return (await self.session.execute(stmt)).scalars().all()

    async def for_service(self, service_id: str) -> Survey | None:
        stmt = select(Survey).where(Survey.service_id == service_id)
        return (await self.session.execute(stmt)).scalar_one_or_none()

    async def by_token(self, token: str) -> Survey | None:
        stmt = select(Survey).where(Survey.token == token)
        return (await self.session.execute(stmt)).scalar_one_or_none()

    async def awaiting_answer(self, contact_id: int, sent_since: datetime) -> Survey | None:
        """The contact's most recent survey still waiting for a score."""
        stmt = (
            select(Survey)
            .where(
                Survey.contact_id == contact_id,
                Survey.status == SurveyStatus.sent.value,
                Survey.sent_at >= sent_since,
            )
            .order_by(Survey.sent_at.desc(), Survey.id.desc())
            .limit(1)
        )
        return (await self.session.execute(stmt)).scalar_one_or_none()

    async def awaiting_comment(self, contact_id: int, now: datetime) -> Survey | None:
        stmt = (
            select(Survey)
            .where(
                Survey.contact_id == contact_id,
                Survey.status == SurveyStatus.answered.value,
                Survey.answer_channel == AnswerChannel.whatsapp.value,
                Survey.comment_until >= now,
            )
            .order_by(Survey.answered_at.desc())
            .limit(1)
        )
        return (await self.session.execute(stmt)).scalar_one_or_none()

    async def mark_sent(self, survey_id: int, now: datetime) -> bool:
        """Scheduled -> sent, for exactly one of any concurrent sends."""
        result = await self.session.execute(
            update(Survey)
            .where(Survey.id == survey_id, Survey.status == SurveyStatus.scheduled.value)
            .values(status=SurveyStatus.sent.value, sent_at=now, updated_at=now)
            .execution_options(synchronize_session=False)
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]

    async def mark_reminded(self, survey_id: int, now: datetime) -> bool:
        result = await self.session.execute(
            update(Survey)
            .where(
                Survey.id == survey_id,
                Survey.status == SurveyStatus.sent.value,
                Survey.reminded_at.is_(None),
            )
            .values(reminded_at=now, updated_at=now)
            .execution_options(synchronize_session=False)
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]

    async def due_reminders(
        self, sent_before: datetime, sent_since: datetime, limit: int
    ) -> Sequence[Survey]:
        stmt = (
            select(Survey)
            .where(
                Survey.status == SurveyStatus.sent.value,
                Survey.reminded_at.is_(None),
                Survey.sent_at <= sent_before,
                Survey.sent_at >= sent_since,
            )
            .order_by(Survey.sent_at)
            .limit(limit)
        )
        return (await self.session.execute(stmt)).scalars().all()

    async def last_outbound_message_id(self, conversation_id: int) -> int | None:
        stmt = select(func.max(Message.id)).where(
            Message.conversation_id == conversation_id,
            Message.direction == Direction.outbound.value,
            Message.private.is_(False),
        )
        return (await self.session.execute(stmt)).scalar_one_or_none()

    async def label_names(self, conversation_id: int) -> list[str]:
        stmt = (
            select(Label.name)
            .join(conversation_labels, conversation_labels.c.label_id == Label.id)
            .where(conversation_labels.c.conversation_id == conversation_id)
            .order_by(Label.name)
        )
        return list((await self.session.execute(stmt)).scalars())

    # --- reports
    async def sent_between(self, start: datetime, end: datetime, *, labels: bool = True) -> list[Any]:
        """The surveys sent in the period; `labels` False leaves their labels out (None: no JSON
        decoded per row when no figure is grouped by category)."""
        stmt = select(
            Survey.id,
            Survey.source,
            Survey.agent_id,
            Survey.level,
            Survey.labels if labels else null().label("labels"),
            Survey.sent_at,
            Survey.score,
            Survey.csat,
            Survey.answer_channel,
            Survey.late,
        ).where(Survey.sent_at >= start, Survey.sent_at < end)
        return list((await self.session.execute(stmt)).all())

    async def answered_since(self, since: datetime) -> tuple[int, int, int]:
        stmt = select(
            func.count(Survey.id),
            func.coalesce(func.sum(case((Survey.score >= 9, 1), else_=0)), 0),
            func.coalesce(func.sum(case((Survey.score <= 6, 1), else_=0)), 0),
        ).where(Survey.answered_at >= since, Survey.score.is_not(None))
        responses, promoters, detractors = (await self.session.execute(stmt)).one()
        return int(responses), int(promoters or 0), int(detractors or 0)

    async def agent_names(self, ids: set[int]) -> dict[int, str]:
        if not ids:
            return {}
        stmt = select(Agent.id, Agent.name).where(Agent.id.in_(ids))
        return {row.id: row.name for row in await self.session.execute(stmt)}

    # --- follow-ups
    async def followup(self, followup_id: int) -> Followup | None:
        return await self.session.get(Followup, followup_id)

    async def followup_for_survey(self, survey_id: int) -> Followup | None:
        stmt = select(Followup).where(Followup.survey_id == survey_id)
        return (await self.session.execute(stmt)).scalar_one_or_none()

    @staticmethod
    def _followup_filters(status: str | None, assignee_id: int | None) -> list[Any]:
        where: list[Any] = []
        if status is not None:
            where.append(Followup.status == status)
        if assignee_id is not None:
            where.append(Followup.assignee_id == assignee_id)
        return where

    async def followups(
        self, *, status: str | None, assignee_id: int | None, limit: int, offset: int
    ) -> list[tuple[Followup, int | None, str | None, int]]:
        stmt = (
            select(Followup, Survey.score, Survey.comment, Survey.contact_id)
            .join(Survey, Survey.id == Followup.survey_id)
            .where(*self._followup_filters(status, assignee_id))
            .order_by(Followup.due_at, Followup.id)
            .limit(limit)
            .offset(offset)
        )
        return [tuple(row) for row in await self.session.execute(stmt)]  # type: ignore[misc]

    async def followup_count(self, *, status: str | None, assignee_id: int | None) -> int:
        stmt = select(func.count(Followup.id)).where(*self._followup_filters(status, assignee_id))
        return int((await self.session.execute(stmt)).scalar_one())

    async def least_loaded_supervisor(self) -> Agent | None:
        """The active supervisor with the fewest open follow-ups (then the lowest id); an admin
        only when there is no supervisor."""
        open_count = (
            select(func.count(Followup.id))
            .where(Followup.assignee_id == Agent.id, Followup.status == FollowupStatus.open.value)
            .scalar_subquery()
        )
        for role in (Role.supervisor, Role.admin):
            stmt = (
                select(Agent)
                .where(Agent.active.is_(True), Agent.role == role.value)
                .order_by(open_count, Agent.id)
                .limit(1)
            )
            agent = (await self.session.execute(stmt)).scalar_one_or_none()
            if agent is not None:
                return agent
        return None

    async def active_supervisors(self) -> Sequence[Agent]:
        """Who may take a follow-up: active supervisors and administrators, by name."""
        stmt = (
            select(Agent)
            .where(Agent.active.is_(True), Agent.role.in_([Role.supervisor.value, Role.admin.value]))
            .order_by(Agent.name, Agent.id)
        )
        return (await self.session.execute(stmt)).scalars().all()

    async def comments_between(self, start: datetime, end: datetime, limit: int) -> list[Any]:
        """The answers with a comment in the period, newest first."""
        stmt = (
            select(
                Survey.id,
                Survey.conversation_id,
                Survey.agent_id,
                Survey.score,
                Survey.csat,
                Survey.comment,
                Survey.answered_at,
            )
            .where(Survey.answered_at >= start, Survey.answered_at < end, Survey.comment.is_not(None))
            .order_by(Survey.answered_at.desc(), Survey.id.desc())
            .limit(limit)
        )
        return list((await self.session.execute(stmt)).all())

    # --- personal data
    async def surveys_of(self, contact_ids: list[int]) -> Sequence[Survey]:
        stmt = select(Survey).where(Survey.contact_id.in_(contact_ids)).order_by(Survey.id)
        return (await self.session.execute(stmt)).scalars().all()

    async def followups_of_surveys(self, survey_ids: list[int]) -> Sequence[Followup]:
        if not survey_ids:
            return []
        stmt = select(Followup).where(Followup.survey_id.in_(survey_ids)).order_by(Followup.id)
        return (await self.session.execute(stmt)).scalars().all()

    async def scrub_comments(self, *, contact_ids: list[int] | None, answered_before: datetime | None) -> int:
        stmt = update(Survey).where(Survey.comment.is_not(None))
        if contact_ids is not None:
            stmt = stmt.where(Survey.contact_id.in_(contact_ids))
        if answered_before is not None:
            stmt = stmt.where(Survey.answered_at < answered_before)
        result = await self.session.execute(
            stmt.values(comment=None).execution_options(synchronize_session=False)
        )
        return int(result.rowcount)  # type: ignore[attr-defined]

    async def scrub_notes(self, *, survey_ids: list[int] | None, created_before: datetime | None) -> int:
        stmt = update(Followup).where(Followup.note.is_not(None))
        if survey_ids is not None:
            if not survey_ids:
                return 0
            stmt = stmt.where(Followup.survey_id.in_(survey_ids))
        if created_before is not None:
            stmt = stmt.where(Followup.created_at < created_before)
        result = await self.session.execute(
            stmt.values(note=None).execution_options(synchronize_session=False)
        )
        return int(result.rowcount)  # type: ignore[attr-defined]
