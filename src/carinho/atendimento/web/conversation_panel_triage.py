"""The side panel's triage section: the checklist's questions with their answers, progress and
outcome (TriageService's state), and a form's strings as the values the service takes."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from carinho.atendimento.inbox.models import Conversation
from carinho.atendimento.triage.models import QuestionType, TriageQuestion
from carinho.atendimento.triage.service import TriageState, triage_service
from carinho.atendimento.triage.validation import disqualifies
from carinho.errors import NotFound


@dataclass
class QuestionView:
    code: str
    text: str
    qtype: str
    required: bool
    options: list[str]
    value: Any
    answered: bool
    disqualifying: bool
    error: str | None = None
    # What the person typed when the service refused it, shown back in the field.
    typed: Any = None


@dataclass
class TriageView:
    available: bool
    title: str = ""
    version: int = 0
    status: str = "not_started"
    outcome: str | None = None
    completed_at: datetime | None = None
    questions: list[QuestionView] = field(default_factory=list)
    answered: int = 0
    required_total: int = 0
    required_answered: int = 0

    @property
    def completed(self) -> bool:
        return self.status == "completed"

    @property
    def percent(self) -> int:
        return round(100 * self.required_answered / self.required_total) if self.required_total else 100

    @property
    def disqualified_by(self) -> list[str]:
        return [q.text for q in self.questions if q.disqualifying]

    def question(self, code: str) -> QuestionView | None:
        return next((q for q in self.questions if q.code == code), None)


async def triage_view(session: AsyncSession, conversation: Conversation) -> TriageView:
    try:
        state = await triage_service.state(session, conversation)
    except NotFound:
        return TriageView(available=False)
    return triage_view_of(state)


def triage_view_of(state: TriageState) -> TriageView:
    questions = [_question_view(q, state) for q in state.checklist.questions]
    required = [q for q in questions if q.required]
    return TriageView(
        available=True,
        title=state.checklist.title,
        version=state.checklist.version,
        status=state.session.status if state.session else "not_started",
        outcome=state.session.outcome if state.session else None,
        completed_at=state.session.completed_at if state.session else None,
        questions=questions,
        answered=sum(1 for q in questions if q.answered),
        required_total=len(required),
        required_answered=sum(1 for q in required if q.answered),
    )


def _question_view(question: TriageQuestion, state: TriageState) -> QuestionView:
    answer = state.answers.get(question.id)
    value = answer.value if answer else None
    return QuestionView(
        code=question.code,
        text=question.text,
        qtype=question.qtype,
        required=question.required,
        options=list(question.options or []),
        value=value,
        answered=value is not None,
        disqualifying=disqualifies(question, value),
    )


def answer_from_form(qtype: str, values: list[str]) -> Any:
    """A form's strings as the JSON value the triage service takes (what it cannot read goes as
    typed, so the service's own message explains what is expected)."""
    cleaned = [v.strip() for v in values if v.strip()]
    kind = QuestionType(qtype)
    if kind is QuestionType.multiple_choice:
        return cleaned
    raw = cleaned[0] if cleaned else ""
    if not raw:
        return None
    if kind is QuestionType.yes_no:
        return {"sim": True, "nao": False, "não": False}.get(raw.lower(), raw)
    if kind is QuestionType.number:
        text = raw.replace(" ", "")
        if "," in text:  # Brazilian decimals: 1.234,5
            text = text.replace(".", "").replace(",", ".")
        try:
            number = float(text)
        except ValueError:
            return raw
        return int(number) if number.is_integer() and abs(number) < 1e15 else number
    return raw
