"""Configurações › Checklists de triagem: each checklist's current version (its questions in order,
required or not) and the earlier ones, read-only; "Nova versão" edits a copy — text, type, options,
required, order (move up / down buttons, no dragging), add, remove — and publishes it as the next
version, with the same service as POST /api/triage/checklists/{key}/versions.

The editor keeps its state in the form: every button posts the whole form back and the page comes
back with the change made (nothing is saved before Publicar), the focus on the button used."""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Path, Request
from fastapi.responses import RedirectResponse, Response
from starlette.datastructures import FormData

from carinho.atendimento.agents.auth import SessionSupervisor
from carinho.atendimento.deps import SessionDep
from carinho.atendimento.triage.models import QuestionType, TriageChecklist
from carinho.atendimento.triage.schemas import ChecklistVersionCreate, QuestionIn
from carinho.atendimento.triage.service import QuestionSpec, triage_service
from carinho.atendimento.web.form_input import discard_changes, validated
from carinho.atendimento.web.settings_nav import SETTINGS_URL, render_tab
from carinho.errors import BadRequest, CarinhoError

router = APIRouter(include_in_schema=False)

TRIAGE_URL = f"{SETTINGS_URL}/triagem"
Key = Annotated[str, Path(min_length=1, max_length=64)]
MAX_QUESTIONS = 100
ACTION = re.compile(r"^(subir|descer|remover):(\d{1,3})$")
YES = {"sim", "s", "true"}
NO = {"não", "nao", "n", "false"}


@dataclass(frozen=True)
class Draft:
    """One question as the editor holds it (the form's text, before any check)."""

    code: str = ""
    text: str = ""
    qtype: str = QuestionType.text.value
    required: bool = True
    options: str = ""
    disqualifying: str = ""


def shown_answer(value: Any) -> str:
    if value is True:
        return "sim"
    if value is False:
        return "não"
    return str(value)


def draft_of(checklist: TriageChecklist) -> list[Draft]:
    return [
        Draft(
            code=q.code,
            text=q.text,
            qtype=q.qtype,
            required=q.required,
            options=", ".join(q.options or []),
            disqualifying=", ".join(shown_answer(v) for v in q.disqualifying or []),
        )
        for q in checklist.questions
    ]


def drafts_from_form(form: FormData) -> list[Draft]:
    total = str(form.get("total", "0"))
    count = min(int(total), MAX_QUESTIONS) if total.isdigit() and len(total) < 4 else 0
    return [
        Draft(
            code=str(form.get(f"q-{i}-code", "")).strip()[:64],
            text=str(form.get(f"q-{i}-text", ""))[:255],
            qtype=str(form.get(f"q-{i}-qtype", QuestionType.text.value))[:24],
            required=form.get(f"q-{i}-required") == "sim",
            options=str(form.get(f"q-{i}-options", ""))[:6_000],
            disqualifying=str(form.get(f"q-{i}-disqualifying", ""))[:6_000],
        )
        for i in range(count)
    ]


def apply(drafts: list[Draft], action: str) -> tuple[list[Draft], str | None]:
    """The editor's buttons: the new list, and the id of what gets the focus."""
    drafts = list(drafts)
    if action == "adicionar" and len(drafts) < MAX_QUESTIONS:
        drafts.append(Draft())
        return drafts, f"q-{len(drafts) - 1}-text"
    match = ACTION.match(action)
    if not match or not 0 <= int(match.group(2)) < len(drafts):
        return drafts, None
    verb, index = match.group(1), int(match.group(2))
    if verb == "remover":
        del drafts[index]
        return drafts, f"q-{min(index, len(drafts) - 1)}-text" if drafts else "adicionar"
    other = index - 1 if verb == "subir" else index + 1
    if not 0 <= other < len(drafts):
        return drafts, None
    drafts[index], drafts[other] = drafts[other], drafts[index]
    # The same button on the question's new place, or the other one where this one is now disabled.
    at_edge = (verb == "subir" and other == 0) or (verb == "descer" and other == len(drafts) - 1)
    moved = {"subir": "descer", "descer": "subir"}[verb] if at_edge else verb
    return drafts, f"q-{other}-{moved}"


def slug(text: str) -> str:
    plain = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(ch for ch in plain if not unicodedata.combining(ch))
    return re.sub(r"[^a-z0-9]+", "_", plain).strip("_")[:40]


def _answers(text: str, qtype: QuestionType, number: int) -> list[Any]:
    values: list[Any] = []
    for part in (p.strip() for p in text.split(",")):
        if not part:
            continue
        if qtype is QuestionType.yes_no:
            if part.casefold() not in YES | NO:
                raise BadRequest(f"Pergunta {number}: as respostas que desqualificam são sim ou não.")
            values.append(part.casefold() in YES)
        elif qtype is QuestionType.number:
            try:
                values.append(float(part.replace(",", ".")) if "." in part else int(part))
            except ValueError:
                raise BadRequest(f"Pergunta {number}: as respostas que desqualificam são números.") from None
        else:
            values.append(part)
    return values


def questions_of(drafts: list[Draft]) -> list[QuestionIn]:
    """The drafts through the API's QuestionIn (its limits), with a pt-BR message naming the
    question; the service checks the rest (unique codes, options only on choices)."""
    questions = []
    for number, draft in enumerate(drafts, start=1):
        try:
            qtype = QuestionType(draft.qtype)
        except ValueError:
            raise BadRequest(f"Pergunta {number}: escolha o tipo da lista.") from None
        item = validated(
            QuestionIn,
            {
                "code": f"Pergunta {number}: o código usa letras minúsculas, números e _ (até 64).",
                "text": f"Pergunta {number}: escreva o texto da pergunta (até 255 caracteres).",
                "options": f"Pergunta {number}: até 50 opções.",
                "disqualifying": f"Pergunta {number}: até 50 respostas que desqualificam.",
            },
            code=draft.code or slug(draft.text) or f"pergunta_{number}",
            text=draft.text.strip(),
            qtype=qtype,
            required=draft.required,
            options=[o.strip() for o in draft.options.split(",") if o.strip()],
            disqualifying=_answers(draft.disqualifying, qtype, number),
        )
        questions.append(item)
    return questions


def _versions_by_key(versions: list[TriageChecklist]) -> list[tuple[TriageChecklist, list[TriageChecklist]]]:
    """(current version, earlier versions newest first) of each checklist."""
    by_key: dict[str, list[TriageChecklist]] = defaultdict(list)
    for checklist in versions:
        by_key[checklist.key].append(checklist)
    result = []
    for rows in by_key.values():
        current = next((c for c in rows if c.current), rows[-1])
        result.append((current, sorted((c for c in rows if c is not current), key=lambda c: -c.version)))
    return result


def _common() -> dict[str, Any]:
    return {
        "types": [(t.value, t.label) for t in QuestionType],
        "type_labels": {t.value: t.label for t in QuestionType},
        "shown_answer": shown_answer,
    }


@router.get(TRIAGE_URL)
async def triage_page(request: Request, supervisor: SessionSupervisor, session: SessionDep) -> Response:
    checklists = _versions_by_key(list(await triage_service.versions(session)))
    return render_tab(
        request, "atendimento/settings/triage.html", TRIAGE_URL, checklists=checklists, **_common()
    )


async def _editor(
    request: Request,
    session: SessionDep,
    key: str,
    *,
    title: str | None = None,
    drafts: list[Draft] | None = None,
    focus: str | None = None,
    error: str | None = None,
) -> Response:
    current = await triage_service.current_checklist(session, key)
    return render_tab(
        request,
        "atendimento/settings/triage_editor.html",
        TRIAGE_URL,
        status_code=422 if error else 200,
        checklist=current,
        title=current.title if title is None else title,
        drafts=draft_of(current) if drafts is None else drafts,
        focus=focus,
        error=error,
        max_questions=MAX_QUESTIONS,
        **_common(),
    )


@router.get(TRIAGE_URL + "/{key}/nova-versao")
async def new_version_page(
    key: Key, request: Request, supervisor: SessionSupervisor, session: SessionDep
) -> Response:
    return await _editor(request, session, key)


@router.post(TRIAGE_URL + "/{key}/nova-versao")
async def new_version(
    key: Key, request: Request, supervisor: SessionSupervisor, session: SessionDep
) -> Response:
    form = await request.form()
    title = str(form.get("title", ""))[:160]
    drafts = drafts_from_form(form)
    action = str(form.get("acao", ""))[:16]
    if action != "publicar":
        drafts, focus = apply(drafts, action)
        return await _editor(request, session, key, title=title, drafts=drafts, focus=focus)
    try:
        await triage_service.current_checklist(session, key)  # a new version of a checklist that exists
        body = validated(
            ChecklistVersionCreate,
            {
                "title": "Dê um título ao checklist (até 160 caracteres).",
                "questions": f"O checklist precisa de 1 a {MAX_QUESTIONS} perguntas.",
            },
            title=title.strip(),
            questions=questions_of(drafts),
        )
        specs = [
            QuestionSpec(q.code, q.text, q.qtype, q.required, tuple(q.options), tuple(q.disqualifying))
            for q in body.questions
        ]
        await triage_service.create_version(
            session, key=key, title=body.title, questions=specs, created_by_id=supervisor.id
        )
    except CarinhoError as exc:
        await discard_changes(session, supervisor)
        return await _editor(request, session, key, title=title, drafts=drafts, error=exc.message)
    return RedirectResponse(f"{TRIAGE_URL}?salvo=1#checklist-{key}", status_code=303)
