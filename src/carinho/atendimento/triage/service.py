"""TriageService: versioned checklists, structured answers per conversation, and the outcome.

A checklist version never changes once created: a supervisor's edit creates the next version and
makes it current. A conversation keeps answering the version it started on. When every required
question has an answer, the triage completes (`signals.triage_completed`): `qualified` moves the
funnel to Qualificado (funnel/receivers.py) and the CRM lead is updated with the answers
(crm/receivers.py); `not_qualified` leaves the decision (and the loss reason) to the agent.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from carinho.atendimento import signals
from carinho.atendimento.agents.models import Agent
from carinho.atendimento.history.actor import Actor
from carinho.atendimento.history.service import Action, history_service
from carinho.atendimento.inbox.access import ensure_can_see
from carinho.atendimento.inbox.models import Conversation
from carinho.atendimento.triage.models import (
    QuestionType,
    TriageAnswer,
    TriageChecklist,
    TriageOutcome,
    TriageQuestion,
    TriageSession,
)
from carinho.atendimento.triage.repository import TriageRepository
from carinho.atendimento.triage.validation import disqualifies, normalise_answer
from carinho.errors import BadRequest, Conflict, NotFound
from carinho.kit.clock import utcnow

LEAD_CHECKLIST = "qualificacao_lead"
CHOICE_TYPES = {QuestionType.single_choice, QuestionType.multiple_choice}


@dataclass(frozen=True)
class QuestionSpec:
    code: str
    text: str
    qtype: QuestionType
    required: bool = True
    options: tuple[str, ...] = ()
    disqualifying: tuple[Any, ...] = ()


@dataclass
class TriageState:
    checklist: TriageChecklist
    session: TriageSession | None
    answers: dict[int, TriageAnswer]

    @property
    def missing_required(self) -> list[TriageQuestion]:
        return [
            q
            for q in self.checklist.questions
            if q.required and (q.id not in self.answers or self.answers[q.id].value is None)
        ]


class TriageService:
    async def current_checklist(self, session: AsyncSession, key: str = LEAD_CHECKLIST) -> TriageChecklist:
        checklist = await TriageRepository(session).current(key)
        if checklist is None:
            raise NotFound("Checklist de triagem não encontrado.")
        return checklist

    async def versions(self, session: AsyncSession, key: str | None = None) -> Sequence[TriageChecklist]:
        return await TriageRepository(session).versions(key)

    async def create_version(
        self,
        session: AsyncSession,
        *,
        key: str,
        title: str,
        questions: Sequence[QuestionSpec],
        created_by_id: int | None,
    ) -> TriageChecklist:
        if not questions:
            raise BadRequest("O checklist precisa de ao menos uma pergunta.")
        codes = [q.code for q in questions]
        if len(set(codes)) != len(codes):
            raise BadRequest("Cada pergunta precisa de um código único.")
        for q in questions:
            if q.qtype in CHOICE_TYPES and len(q.options) < 2:
                raise BadRequest(f"A pergunta {q.code} precisa de ao menos duas opções.")
            if q.qtype not in CHOICE_TYPES and q.options:
                raise BadRequest(f"A pergunta {q.code} não é de escolha e não leva opções.")
        repo = TriageRepository(session)
        previous = await repo.current(key)
        if previous is not None:
            previous.current = False
            await session.flush()
        checklist = TriageChecklist(
            key=key,
            version=await repo.latest_version(key) + 1,
            title=title.strip(),
            current=True,
            created_by_id=created_by_id,
        )
        checklist.questions = [
            TriageQuestion(
                code=q.code,
                position=index,
                text=q.text,
                qtype=q.qtype.value,
                required=q.required,
                options=list(q.options),
                disqualifying=list(q.disqualifying),
            )
            for index, q in enumerate(questions, start=1)
        ]
        repo.add(checklist)
        await session.flush()
        return checklist

    async def state(
        self, session: AsyncSession, conversation: Conversation, key: str = LEAD_CHECKLIST
    ) -> TriageState:
        """The conversation's triage: the version it started on, or the current one if not started."""
        repo = TriageRepository(session)
        versions = await repo.versions(key)
        if not versions:
            raise NotFound("Checklist de triagem não encontrado.")
        started = await repo.session_for(conversation.id, [v.id for v in versions])
        if started is not None:
            checklist = next(v for v in versions if v.id == started.checklist_id)
            answers = {a.question_id: a for a in await repo.answers(started.id)}
            return TriageState(checklist, started, answers)
        current = next((v for v in versions if v.current), versions[-1])
        return TriageState(current, None, {})

    async def answer(
        self,
        session: AsyncSession,
        agent: Agent,
        conversation: Conversation,
        answers: dict[str, Any],
        key: str = LEAD_CHECKLIST,
    ) -> TriageState:
        ensure_can_see(agent, conversation)
        if not answers:
            raise BadRequest("Nenhuma resposta informada.")
        state = await self.state(session, conversation, key)
        if state.session is not None and state.session.status == "completed":
            raise Conflict("A triagem desta conversa já foi concluída.")
        by_code = {q.code: q for q in state.checklist.questions}
        unknown = sorted(set(answers) - set(by_code))
        if unknown:
            raise BadRequest(f"Perguntas inexistentes nesta versão do checklist: {', '.join(unknown)}.")
        repo = TriageRepository(session)
        triage = state.session
        if triage is None:
            triage = TriageSession(
                conversation_id=conversation.id, checklist_id=state.checklist.id, status="in_progress"
            )
            repo.add(triage)
            await session.flush()
            state.session = triage
        actor = Actor.of(agent)
        for code, raw in answers.items():
            question = by_code[code]
            value = normalise_answer(question, raw)
            existing = state.answers.get(question.id)
            before = existing.value if existing else None
            if existing is None:
                existing = TriageAnswer(session_id=triage.id, question_id=question.id, value=value)
                repo.add(existing)
                state.answers[question.id] = existing
            existing.value = value
            existing.answered_by_id = agent.id
            existing.answered_at = utcnow()
            history_service.record(
                session,
                Action.triage_answered,
                actor,
                conversation_id=conversation.id,
                before={"question": code, "answered": before is not None},
                after={"question": code, "version": state.checklist.version},
            )
        await session.flush()
        for code in answers:
            await signals.triage_answered.send(
                session,
                conversation=conversation,
                question=code,
                value=state.answers[by_code[code].id].value,
                actor=actor,
            )
        if not state.missing_required:
            await self._complete(session, conversation, state, actor)
        return state

    async def _complete(
        self, session: AsyncSession, conversation: Conversation, state: TriageState, actor: Actor
    ) -> None:
        assert state.session is not None
        failed = [
            q.code
            for q in state.checklist.questions
            if q.id in state.answers and disqualifies(q, state.answers[q.id].value)
        ]
        outcome = TriageOutcome.not_qualified if failed else TriageOutcome.qualified
        state.session.status = "completed"
        state.session.outcome = outcome.value
        state.session.completed_at = utcnow()
        history_service.record(
            session,
            Action.triage_completed,
            actor,
            conversation_id=conversation.id,
            after={"outcome": outcome.value, "version": state.checklist.version},
            details={"disqualified_by": failed} if failed else None,
        )
        await signals.triage_completed.send(
            session, conversation=conversation, outcome=outcome.value, actor=actor
        )

    def answers_by_code(self, state: TriageState) -> dict[str, Any]:
        return {q.code: state.answers[q.id].value for q in state.checklist.questions if q.id in state.answers}


triage_service = TriageService()
