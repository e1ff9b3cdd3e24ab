"""Detractors (score 0–6) become a supervisor's task: call the customer back, note what was done."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from carinho.atendimento.agents.models import Agent, Role
from carinho.atendimento.history.actor import Actor
from carinho.atendimento.history.service import Action, history_service
from carinho.atendimento.inbox.alerts import alert_service
from carinho.atendimento.satisfaction.models import Followup, FollowupStatus, SatisfactionSettings, Survey
from carinho.atendimento.satisfaction.repository import SatisfactionRepository
from carinho.atendimento.working_hours.calendar import NoOpenTime
from carinho.atendimento.working_hours.service import working_hours_service
from carinho.errors import BadRequest, Conflict, NotFound
from carinho.kit.clock import utcnow

DETRACTOR_MAX = 6


class FollowupService:
    async def open_for(
        self, session: AsyncSession, survey: Survey, config: SatisfactionSettings
    ) -> Followup | None:
        """Once per survey: the task (to the least busy supervisor, due in business hours), its
        audit entry and an in-app alert."""
        repo = SatisfactionRepository(session)
        if survey.score is None or survey.score > DETRACTOR_MAX:
            return None
        if await repo.followup_for_survey(survey.id) is not None:
            return None
        now = utcnow()
        supervisor = await repo.least_loaded_supervisor()
        try:
            due = await working_hours_service.add_business_minutes(
                session, now, config.followup_due_hours * 60
            )
        except NoOpenTime:  # no business time ahead: wall-clock hours, rather than no task
            due = now + timedelta(hours=config.followup_due_hours)
        followup = Followup(
            survey_id=survey.id,
            conversation_id=survey.conversation_id,
            status=FollowupStatus.open.value,
            assignee_id=supervisor.id if supervisor else None,
            due_at=due,
        )
        try:
            async with session.begin_nested():
                repo.add(followup)
                await session.flush()
        except IntegrityError:
            return None
        history_service.record(
            session,
            Action.followup_created,
            Actor.automation("nps"),
            conversation_id=survey.conversation_id,
            after={
                "followup_id": followup.id,
                "assignee_id": followup.assignee_id,
                "due_at": due.isoformat(),
            },
            details={"survey_id": survey.id, "score": survey.score},
        )
        await alert_service.raise_alert(
            session,
            kind="nps_detractor",
            title=f"Cliente insatisfeito (nota {survey.score}) — conversa #{survey.conversation_id}",
            severity="warning",
            details={
                "survey_id": survey.id,
                "followup_id": followup.id,
                "score": survey.score,
                "assignee_id": followup.assignee_id,
                "assignee": supervisor.name if supervisor else None,
                "due_at": due.isoformat(),
            },
            conversation_id=survey.conversation_id,
            dedupe_key=f"nps_detractor:{survey.id}",
        )
        return followup

    async def list(
        self,
        session: AsyncSession,
        *,
        status: FollowupStatus | None,
        assignee_id: int | None,
        limit: int = 100,
        offset: int = 0,
    ) -> list[tuple[Followup, int | None, str | None, int]]:
        return await SatisfactionRepository(session).followups(
            status=status.value if status else None, assignee_id=assignee_id, limit=limit, offset=offset
        )

    async def count(
        self, session: AsyncSession, *, status: FollowupStatus | None, assignee_id: int | None
    ) -> int:
        return await SatisfactionRepository(session).followup_count(
            status=status.value if status else None, assignee_id=assignee_id
        )

    async def done(
        self, session: AsyncSession, supervisor: Agent, followup_id: int, note: str | None
    ) -> Followup:
        followup = await SatisfactionRepository(session).followup(followup_id)
        if followup is None:
            raise NotFound("Acompanhamento não encontrado.")
        if followup.status == FollowupStatus.done.value:
            raise Conflict("Este acompanhamento já foi concluído.")
        now = utcnow()
        followup.status = FollowupStatus.done.value
        followup.done_at = now
        followup.done_by_id = supervisor.id
        note = (note or "").replace("\x00", "").strip()
        if note:
            followup.note = note
        history_service.record(
            session,
            Action.followup_done,
            Actor.of(supervisor),
            conversation_id=followup.conversation_id,
            before={"status": FollowupStatus.open.value},
            after={"status": FollowupStatus.done.value, "followup_id": followup.id},
            details={"overdue": now > followup.due_at},
        )
        await session.flush()
        return followup

    async def assign(
        self, session: AsyncSession, supervisor: Agent, followup_id: int, assignee_id: int
    ) -> Followup:
        """Hand an open follow-up to another supervisor (or administrator)."""
        followup = await SatisfactionRepository(session).followup(followup_id)
        if followup is None:
            raise NotFound("Acompanhamento não encontrado.")
        if followup.status == FollowupStatus.done.value:
            raise Conflict("Este acompanhamento já foi concluído.")
        assignee = await session.get(Agent, assignee_id)
        if assignee is None or not assignee.active or not assignee.has_role(Role.supervisor):
            raise BadRequest("Escolha um supervisor ativo para o acompanhamento.")
        before = followup.assignee_id
        followup.assignee_id = assignee.id
        history_service.record(
            session,
            Action.followup_assigned,
            Actor.of(supervisor),
            conversation_id=followup.conversation_id,
            before={"assignee_id": before},
            after={"assignee_id": assignee.id, "followup_id": followup.id},
        )
        await session.flush()
        return followup

    async def assignees(self, session: AsyncSession) -> Sequence[Agent]:
        return await SatisfactionRepository(session).active_supervisors()


followup_service = FollowupService()
