"""Checking an answer against its question type; answers are stored as JSON values."""

from __future__ import annotations

from datetime import date
from typing import Any

from carinho.atendimento.triage.models import QuestionType, TriageQuestion
from carinho.errors import BadRequest


def normalise_answer(question: TriageQuestion, value: Any) -> Any:
    qtype = QuestionType(question.qtype)
    where = f"Resposta inválida para \u201c{question.text}\u201d"
    if value is None or value == "" or value == []:
        if question.required:
            raise BadRequest(f"{where}: a pergunta é obrigatória.")
        return None
    if qtype is QuestionType.text:
        if not isinstance(value, str):
            raise BadRequest(f"{where}: informe um texto.")
        return value.strip()[:2000]
    if qtype is QuestionType.yes_no:
        if not isinstance(value, bool):
            raise BadRequest(f"{where}: responda sim (true) ou não (false).")
        return value
    if qtype is QuestionType.number:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise BadRequest(f"{where}: informe um número.")
        return value
    if qtype is QuestionType.date:
        if not isinstance(value, str):
            raise BadRequest(f"{where}: informe uma data AAAA-MM-DD.")
        try:
            return date.fromisoformat(value).isoformat()
        except ValueError:
            raise BadRequest(f"{where}: informe uma data AAAA-MM-DD.") from None
    if qtype is QuestionType.single_choice:
        if value not in question.options:
            raise BadRequest(f"{where}: escolha uma das opções: {', '.join(question.options)}.")
        return value
    if not isinstance(value, list) or not value or any(v not in question.options for v in value):
        raise BadRequest(f"{where}: escolha uma ou mais opções: {', '.join(question.options)}.")
    return sorted(set(value), key=question.options.index)


def disqualifies(question: TriageQuestion, value: Any) -> bool:
    if value is None or not question.disqualifying:
        return False
    values = value if isinstance(value, list) else [value]
    return any(v in question.disqualifying for v in values)
