"""Configurações › Regras de escalonamento: the automatic rules (what fires them, where they send
the conversation), created, edited, switched off or deleted, and the automatic reassignment — the
same services as /api/escalation/rules and /api/escalation/settings."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.ext.asyncio import AsyncSession

from carinho.atendimento.agents.auth import SessionSupervisor
from carinho.atendimento.deps import SessionDep
from carinho.atendimento.escalation.models import EscalationRule, RuleKind
from carinho.atendimento.escalation.rules import EMERGENCY_KINDS, SLA_TARGETS, rule_service
from carinho.atendimento.escalation.schemas import RuleCreate, RuleUpdate, SettingsUpdate
from carinho.atendimento.escalation.service import escalation_service
from carinho.atendimento.inbox.models import Priority
from carinho.atendimento.triage.service import LEAD_CHECKLIST, triage_service
from carinho.atendimento.web.form_input import discard_changes, validated
from carinho.atendimento.web.settings_nav import SETTINGS_URL, render_tab
from carinho.errors import BadRequest, CarinhoError, NotFound
from carinho.kit.ids import Id

router = APIRouter(include_in_schema=False)

RULES_URL = f"{SETTINGS_URL}/escalonamento"
Short = Annotated[str, Form(max_length=160)]
RuleId = Id

# Which conditions each kind reads (the service checks that the ones it needs are filled).
CONDITIONS: dict[RuleKind, tuple[str, ...]] = {
    RuleKind.keyword: ("keywords",),
    RuleKind.asks_supervisor: ("keywords",),
    RuleKind.triage_answer: ("question_code", "answer_values"),
    RuleKind.sla_at_risk: ("sla_target",),
    RuleKind.sla_breached: ("sla_target",),
    RuleKind.reopenings: ("threshold", "window_hours"),
}
MESSAGES = {
    "name": "Dê um nome à regra (até 120 caracteres).",
    "kind": "Escolha o tipo da regra.",
    "target_level": "Escolha o nível de destino: N2 ou N3.",
    "raise_priority": "Escolha uma prioridade da lista.",
    "keywords": "Palavras-chave: até 200, cada uma com até 120 caracteres.",
    "question_code": "Escolha a pergunta da triagem.",
    "answer_values": "Respostas: até 100, cada uma com até 120 caracteres.",
    "sla_target": "Escolha uma meta de SLA da lista.",
    "threshold": "Reaberturas: informe de 1 a 100.",
    "window_hours": "Janela das reaberturas: informe de 1 a 8.760 horas.",
}
PRIORITIES = [(p.value, p.label) for p in (Priority.urgent, Priority.high, Priority.normal)]


def comma_list(text: str) -> list[str]:
    """'Procon, vou processar,' → ['Procon', 'vou processar']."""
    return [part.strip() for part in text.split(",") if part.strip()]


def _optional_int(value: str, message: str) -> int | None:
    value = value.strip()
    if not value:
        return None
    if not value.isdigit() or len(value) > 9:
        raise BadRequest(message)
    return int(value)


def rule_values(kind: RuleKind, form: dict[str, str]) -> dict[str, Any]:
    """The form's fields for a rule of this kind, as RuleCreate takes them (the conditions of other
    kinds are not read)."""
    values: dict[str, Any] = {
        "name": form.get("name", ""),
        "target_level": form.get("target_level", ""),
        "raise_priority": form.get("raise_priority") or None,
        "notify_operacao": form.get("notify_operacao") == "sim",
        "opens_emergency": kind in EMERGENCY_KINDS and form.get("opens_emergency") == "sim",
        "active": form.get("active") == "sim",
    }
    wanted = CONDITIONS[kind]
    if "keywords" in wanted:
        values["keywords"] = comma_list(form.get("keywords", ""))
    if "question_code" in wanted:
        values["question_code"] = form.get("question_code") or None
        values["answer_values"] = comma_list(form.get("answer_values", ""))
    if "sla_target" in wanted:
        values["sla_target"] = form.get("sla_target") or None
    if "threshold" in wanted:
        values["threshold"] = _optional_int(form.get("threshold", ""), MESSAGES["threshold"])
        values["window_hours"] = _optional_int(form.get("window_hours", ""), MESSAGES["window_hours"])
    return values


def form_of(rule: EscalationRule) -> dict[str, str]:
    return {
        "name": rule.name,
        "target_level": rule.target_level,
        "raise_priority": rule.raise_priority or "",
        "notify_operacao": "sim" if rule.notify_operacao else "",
        "opens_emergency": "sim" if rule.opens_emergency else "",
        "active": "sim" if rule.active else "",
        "keywords": ", ".join(rule.keywords or []),
        "question_code": rule.question_code or "",
        "answer_values": ", ".join(rule.answer_values or []),
        "sla_target": rule.sla_target or "",
        "threshold": str(rule.threshold or ""),
        "window_hours": str(rule.window_hours or ""),
    }


def conditions_text(rule: EscalationRule, question_texts: dict[str, str]) -> str:
    """What fires the rule, as a supervisor reads it in the list."""
    kind = RuleKind(rule.kind)
    if kind in (RuleKind.keyword, RuleKind.asks_supervisor):
        words = list(rule.keywords or [])
        shown = ", ".join(words[:8]) + (f" e mais {len(words) - 8}" if len(words) > 8 else "")
        if kind is RuleKind.asks_supervisor:
            return "Pedidos de falar com um responsável" + (f"; também: {shown}" if words else "")
        return shown
    if kind is RuleKind.triage_answer:
        question = question_texts.get(rule.question_code or "", rule.question_code or "")
        return f"“{question}”: {', '.join(rule.answer_values or [])}"
    if kind in (RuleKind.sla_at_risk, RuleKind.sla_breached):
        return f"Meta de {SLA_TARGETS[rule.sla_target]}" if rule.sla_target else "Qualquer meta"
    return f"{rule.threshold} conversas em {rule.window_hours} h"


def _kind(value: str) -> RuleKind:
    try:
        return RuleKind(value)
    except ValueError:
        raise BadRequest(MESSAGES["kind"]) from None


async def _questions(session: AsyncSession) -> list[tuple[str, str]]:
    try:
        checklist = await triage_service.current_checklist(session, LEAD_CHECKLIST)
    except NotFound:
        return []
    return [(q.code, q.text) for q in checklist.questions]


async def _render(
    request: Request,
    session: AsyncSession,
    *,
    editing: EscalationRule | None = None,
    new_kind: RuleKind | None = None,
    form: dict[str, str] | None = None,
    error: str | None = None,
    settings_error: str | None = None,
) -> Response:
    kind = RuleKind(editing.kind) if editing else new_kind
    if form is None:
        form = form_of(editing) if editing else {"target_level": "N2", "active": "sim"}
    questions = await _questions(session)
    if form.get("question_code") and form["question_code"] not in dict(questions):
        questions.append((form["question_code"], f"{form['question_code']} (fora da versão atual)"))
    return render_tab(
        request,
        "atendimento/settings/escalation.html",
        RULES_URL,
        status_code=422 if error or settings_error else 200,
        rules=await rule_service.rules(session),
        kinds=[(k.value, k.label) for k in RuleKind],
        kind=kind,
        conditions=CONDITIONS[kind] if kind else (),
        emergency_kinds=EMERGENCY_KINDS,
        editing=editing,
        form=form,
        error=error,
        settings=await escalation_service.settings(session),
        settings_error=settings_error,
        priorities=PRIORITIES,
        priority_labels={p.value: p.label for p in Priority},
        sla_targets=list(SLA_TARGETS.items()),
        questions=questions,
        question_texts=dict(questions),
        conditions_text=conditions_text,
    )


@router.get(RULES_URL)
async def rules_page(
    request: Request, supervisor: SessionSupervisor, session: SessionDep, tipo: str = ""
) -> Response:
    """The rules; ?tipo=keyword opens the form of a new rule of that kind."""
    new_kind = _kind(tipo) if tipo else None
    return await _render(request, session, new_kind=new_kind)


@router.post(f"{RULES_URL}/ajustes")
async def save_settings(
    request: Request,
    supervisor: SessionSupervisor,
    session: SessionDep,
    auto_reassign_enabled: Short = "",
    auto_reassign_minutes: Short = "",
) -> Response:
    try:
        body = validated(
            SettingsUpdate,
            {"auto_reassign_minutes": "Reatribuição: informe de 1 a 480 minutos úteis."},
            auto_reassign_enabled=auto_reassign_enabled == "sim",
            auto_reassign_minutes=_optional_int(
                auto_reassign_minutes, "Reatribuição: informe de 1 a 480 minutos úteis."
            ),
        )
        await escalation_service.update_settings(
            session,
            supervisor,
            auto_reassign_enabled=body.auto_reassign_enabled,
            auto_reassign_minutes=body.auto_reassign_minutes,
        )
    except CarinhoError as exc:
        await discard_changes(session, supervisor)
        return await _render(request, session, settings_error=exc.message)
    return RedirectResponse(f"{RULES_URL}?salvo=1#reatribuicao", status_code=303)


@router.post(f"{RULES_URL}/nova")
async def create_rule(request: Request, supervisor: SessionSupervisor, session: SessionDep) -> Response:
    form = {key: str(value)[:30_000] for key, value in (await request.form()).items()}
    kind = _kind(form.get("kind", ""))
    try:
        body = validated(RuleCreate, MESSAGES, kind=kind, **rule_values(kind, form))
        values = body.model_dump()
        values["kind"] = body.kind.value
        values["raise_priority"] = body.raise_priority.value if body.raise_priority else None
        rule = await rule_service.create(session, supervisor, **values)
    except CarinhoError as exc:
        await discard_changes(session, supervisor)
        return await _render(request, session, new_kind=kind, form=form, error=exc.message)
    return RedirectResponse(f"{RULES_URL}?salvo=1#regra-{rule.id}", status_code=303)


@router.get(RULES_URL + "/{rule_id}")
async def edit_page(
    rule_id: RuleId, request: Request, supervisor: SessionSupervisor, session: SessionDep
) -> Response:
    return await _render(request, session, editing=await rule_service.rule(session, rule_id))


@router.post(RULES_URL + "/{rule_id}")
async def save_rule(
    rule_id: RuleId, request: Request, supervisor: SessionSupervisor, session: SessionDep
) -> Response:
    rule = await rule_service.rule(session, rule_id)
    form = {key: str(value)[:30_000] for key, value in (await request.form()).items()}
    kind = RuleKind(rule.kind)
    try:
        body = validated(RuleUpdate, MESSAGES, **rule_values(kind, form))
        changes = body.model_dump(exclude_unset=True)
        changes["raise_priority"] = body.raise_priority.value if body.raise_priority else None
        await rule_service.update(session, supervisor, rule_id, changes)
    except CarinhoError as exc:
        await discard_changes(session, supervisor)
        rule = await rule_service.rule(session, rule_id)
        return await _render(request, session, editing=rule, form=form, error=exc.message)
    return RedirectResponse(f"{RULES_URL}?salvo=1#regra-{rule_id}", status_code=303)


@router.post(RULES_URL + "/{rule_id}/ativa")
async def switch_rule(
    rule_id: RuleId, supervisor: SessionSupervisor, session: SessionDep, active: Short = ""
) -> Response:
    await rule_service.update(session, supervisor, rule_id, {"active": active == "sim"})
    return RedirectResponse(f"{RULES_URL}?salvo=1#regra-{rule_id}", status_code=303)


@router.post(RULES_URL + "/{rule_id}/excluir")
async def delete_rule(rule_id: RuleId, supervisor: SessionSupervisor, session: SessionDep) -> Response:
    await rule_service.delete(session, supervisor, rule_id)
    return RedirectResponse(f"{RULES_URL}?salvo=1", status_code=303)
