from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from carinho.atendimento.triage.models import QuestionType, TriageChecklist


class QuestionOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    code: str
    position: int
    text: str
    qtype: QuestionType
    required: bool
    options: list[str]
    disqualifying: list[Any]


class ChecklistOut(BaseModel):
    id: int
    key: str
    version: int
    title: str
    current: bool
    created_at: datetime
    questions: list[QuestionOut]

    @classmethod
    def of(cls, checklist: TriageChecklist) -> ChecklistOut:
        return cls(
            id=checklist.id,
            key=checklist.key,
            version=checklist.version,
            title=checklist.title,
            current=checklist.current,
            created_at=checklist.created_at,
            questions=[QuestionOut.model_validate(q) for q in checklist.questions],
        )


class QuestionIn(BaseModel):
    code: str = Field(min_length=1, max_length=64, pattern=r"^[a-z0-9_]+$")
    text: str = Field(min_length=1, max_length=255)
    qtype: QuestionType
    required: bool = True
    options: list[str] = Field(default_factory=list, max_length=50)
    disqualifying: list[Any] = Field(default_factory=list, max_length=50)


class ChecklistVersionCreate(BaseModel):
    title: str = Field(min_length=1, max_length=160)
    questions: list[QuestionIn] = Field(min_length=1, max_length=100)


class AnswersIn(BaseModel):
    answers: dict[str, Any] = Field(
        description="Código da pergunta → resposta (texto, número, booleano, data AAAA-MM-DD, "
        "opção ou lista de opções)."
    )


class TriageOut(BaseModel):
    checklist: ChecklistOut
    status: str
    outcome: str | None
    completed_at: datetime | None
    answers: dict[str, Any]
    missing_required: list[str]
