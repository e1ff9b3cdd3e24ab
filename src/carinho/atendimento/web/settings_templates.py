"""Configurações › Modelos e mensagens automáticas: the message templates (create, edit, switch
off) with a live preview of their variables, and the automatic-message rules (on/off, which
template, how long to wait) — the same services as /api/templates and /api/automations."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.ext.asyncio import AsyncSession

from carinho.atendimento.agents.auth import SessionSupervisor
from carinho.atendimento.agents.models import Agent
from carinho.atendimento.automations.service import MESSAGE_RULES, TIMED_RULES, RuleKind, automation_service
from carinho.atendimento.deps import SessionDep
from carinho.atendimento.history.actor import Actor
from carinho.atendimento.templates.models import MessageTemplate
from carinho.atendimento.templates.rendering import CATEGORIES, VARIABLES, render, unknown_placeholders
from carinho.atendimento.templates.service import protocol_number, template_service
from carinho.atendimento.web.pages import pages
from carinho.atendimento.web.settings_nav import SETTINGS_URL, render_tab
from carinho.errors import BadRequest, CarinhoError
from carinho.kit.ids import Id

router = APIRouter(include_in_schema=False)

TEMPLATES_URL = f"{SETTINGS_URL}/modelos"
EXAMPLE_CONTACT = "Maria da Silva"
EXAMPLE_CONVERSATION = 1234

Name = Annotated[str, Form(max_length=120)]
Body = Annotated[str, Form(max_length=4_000)]
Short = Annotated[str, Form(max_length=32)]


async def example_values(session: AsyncSession, agent: Agent) -> dict[str, str]:
    """The variables filled as for an example conversation (the preview)."""
    values = await template_service.variables_for(
        session, contact_name=EXAMPLE_CONTACT, agent_name=agent.name, conversation_id=None
    )
    return {**values, "protocolo": protocol_number(EXAMPLE_CONVERSATION)}


async def _render(
    request: Request,
    session: SessionDep,
    agent: Agent,
    *,
    editing: MessageTemplate | None = None,
    form: dict[str, str] | None = None,
    error: str | None = None,
    status_code: int = 200,
) -> Response:
    templates = await template_service.list(session)
    rules = [rule for rule in await automation_service.rules(session) if RuleKind(rule.kind) in MESSAGE_RULES]
    by_template: dict[int, list[str]] = {}
    for rule in rules:
        if rule.template_id is not None and rule.enabled:
            by_template.setdefault(rule.template_id, []).append(RuleKind(rule.kind).label)
    current = form or (
        {"name": editing.name, "category": editing.category, "body": editing.body} if editing else {}
    )
    body = current.get("body", "")
    return render_tab(
        request,
        "atendimento/settings/templates.html",
        TEMPLATES_URL,
        status_code=status_code,
        templates=templates,
        template_names={t.id: t.name for t in templates},
        used_by=by_template,
        rules=[(rule, RuleKind(rule.kind)) for rule in rules],
        timed=TIMED_RULES,
        categories=list(CATEGORIES.items()),
        category_labels=CATEGORIES,
        variables=VARIABLES,
        editing=editing,
        form=current,
        error=error,
        preview=render(body, await example_values(session, agent)),
        unknown=unknown_placeholders(body),
    )


@router.get(TEMPLATES_URL)
async def templates_page(request: Request, supervisor: SessionSupervisor, session: SessionDep) -> Response:
    return await _render(request, session, supervisor)


@router.get(TEMPLATES_URL + "/{template_id}")
async def edit_page(
    template_id: Id, request: Request, supervisor: SessionSupervisor, session: SessionDep
) -> Response:
    template = await template_service.get(session, template_id)
    return await _render(request, session, supervisor, editing=template)


@router.post(f"{TEMPLATES_URL}/previa")
async def preview(
    request: Request, supervisor: SessionSupervisor, session: SessionDep, body: Body = ""
) -> Response:
    """The preview region alone (htmx, as the supervisor types)."""
    return pages.render(
        request,
        "atendimento/settings/template_preview.html",
        preview=render(body, await example_values(session, supervisor)),
        unknown=unknown_placeholders(body),
    )


@router.post(f"{TEMPLATES_URL}/novo")
async def create_template(
    request: Request,
    supervisor: SessionSupervisor,
    session: SessionDep,
    name: Name = "",
    category: Short = "geral",
    body: Body = "",
) -> Response:
    try:
        template = await template_service.create(
            session, name=name, category=category, body=body, actor=Actor.of(supervisor)
        )
    except CarinhoError as exc:
        form = {"name": name, "category": category, "body": body}
        return await _render(request, session, supervisor, form=form, error=exc.message, status_code=422)
    return RedirectResponse(f"{TEMPLATES_URL}/{template.id}?salvo=1", status_code=303)


@router.post(TEMPLATES_URL + "/{template_id}")
async def save_template(
    template_id: Id,
    request: Request,
    supervisor: SessionSupervisor,
    session: SessionDep,
    name: Name = "",
    category: Short = "",
    body: Body = "",
    active: Short = "",
) -> Response:
    template = await template_service.get(session, template_id)
    changes: dict[str, Any] = {"name": name or None, "category": category or None, "body": body or None}
    if active in {"sim", "nao"}:
        changes = {"active": active == "sim"}
    try:
        await template_service.update(session, template, **changes, actor=Actor.of(supervisor))
    except CarinhoError as exc:
        form = {"name": name, "category": category, "body": body}
        return await _render(
            request, session, supervisor, editing=template, form=form, error=exc.message, status_code=422
        )
    return RedirectResponse(f"{TEMPLATES_URL}/{template.id}?salvo=1", status_code=303)


@router.post(SETTINGS_URL + "/automaticas/{kind}")
async def configure_rule(
    kind: str,
    supervisor: SessionSupervisor,
    session: SessionDep,
    enabled: Short = "",
    template_id: Short = "",
    delay_minutes: Short = "",
) -> Response:
    try:
        rule_kind = RuleKind(kind)
    except ValueError:
        raise BadRequest("Regra automática desconhecida.") from None
    if delay_minutes and not delay_minutes.isdigit():
        raise BadRequest("O tempo deve ser um número inteiro de minutos.")
    if template_id and not template_id.isdigit():
        raise BadRequest("Escolha um modelo da lista.")
    await automation_service.configure(
        session,
        supervisor,
        rule_kind,
        enabled=enabled == "sim",
        template_id=int(template_id) if template_id else None,
        delay_minutes=int(delay_minutes) if delay_minutes and rule_kind in TIMED_RULES else None,
    )
    return RedirectResponse(f"{TEMPLATES_URL}?salvo=1#regra-{rule_kind.value}", status_code=303)
