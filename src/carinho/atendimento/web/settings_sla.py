"""Configurações › Políticas de SLA: the targets of each priority (first response, next response,
resolution, in business minutes; when a conversation turns at risk; whether waiting for the customer
pauses the clock), edited as one form, and the operational alert thresholds — the same services as
PUT /api/sla/policies and /api/sla/alert-settings."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from starlette.datastructures import FormData

from carinho.atendimento.agents.auth import SessionSupervisor
from carinho.atendimento.deps import SessionDep
from carinho.atendimento.inbox.models import Priority
from carinho.atendimento.sla import operational
from carinho.atendimento.sla.schemas import AlertSettingsIn, PolicyIn
from carinho.atendimento.sla.service import MAX_TARGET_MINUTES, PolicyValues, sla_service
from carinho.atendimento.web.form_input import discard_changes, validated
from carinho.atendimento.web.settings_nav import SETTINGS_URL, render_tab
from carinho.errors import BadRequest, CarinhoError
from carinho.kit.ui.formatting import number_br

router = APIRouter(include_in_schema=False)

SLA_URL = f"{SETTINGS_URL}/sla"
# Most urgent first: the row a supervisor looks for first.
PRIORITIES = [Priority.urgent, Priority.high, Priority.normal, Priority.low]
TARGET_FIELDS = [
    ("first_response_minutes", "Primeira resposta"),
    ("next_response_minutes", "Próxima resposta"),
    ("resolution_minutes", "Resolução"),
]
ALERT_FIELDS = [
    ("backlog_unassigned_threshold", "Conversas sem responsável", "alerta quando passar de"),
    ("backlog_waiting_threshold", "Conversas aguardando resposta", "alerta quando passar de"),
    ("backlog_growth_threshold", "Crescimento da fila", "alerta quando crescer ao menos isto na janela"),
    ("backlog_window_minutes", "Janela do crescimento da fila", "minutos (de 1 a 1.440)"),
    ("send_failures_threshold", "Falhas de envio", "alerta quando tantas falharem na janela"),
    ("send_failures_window_minutes", "Janela das falhas de envio", "minutos (de 1 a 1.440)"),
]
ALERT_LABELS = {name: label for name, label, _ in ALERT_FIELDS}
WINDOWS = ("backlog_window_minutes", "send_failures_window_minutes")


def minutes_br(minutes: int | float | None) -> str:
    """Business minutes as read: '45 min', '1 h 30 min', '24 h' (hours, never days: business time)."""
    if minutes is None:
        return ""
    hours, rest = divmod(int(minutes), 60)
    if not hours:
        return f"{rest} min"
    return f"{number_br(hours)} h {rest:02d} min" if rest else f"{number_br(hours)} h"


def _whole(value: str, message: str) -> int:
    value = value.strip()
    if not value.isdigit() or len(value) > 9:
        raise BadRequest(message)
    return int(value)


def policies_from_form(form: FormData) -> dict[Priority, PolicyValues]:
    """Every priority's row through the API's PolicyIn: its limits, a pt-BR message naming the row."""
    changes: dict[Priority, PolicyValues] = {}
    for priority in PRIORITIES:
        label = priority.label
        values: dict[str, Any] = {"priority": priority}
        for field, what in TARGET_FIELDS:
            values[field] = _whole(
                str(form.get(f"{priority.value}-{field}", "")),
                f"{label}: informe o prazo de {what.lower()} em minutos (número inteiro).",
            )
        values["at_risk_percent"] = _whole(
            str(form.get(f"{priority.value}-at_risk_percent", "")),
            f"{label}: informe o limite de risco em % do prazo (número inteiro).",
        )
        values["pause_while_waiting_customer"] = form.get(f"{priority.value}-pause") == "sim"
        limit = f"entre 1 e {number_br(MAX_TARGET_MINUTES)} minutos"
        item = validated(
            PolicyIn,
            {
                "first_response_minutes": f"{label}: o prazo de primeira resposta deve ficar {limit}.",
                "next_response_minutes": f"{label}: o prazo de próxima resposta deve ficar {limit}.",
                "resolution_minutes": f"{label}: o prazo de resolução deve ficar {limit}.",
                "at_risk_percent": f"{label}: o limite de risco deve ficar entre 1 % e 99 % do prazo.",
            },
            **values,
        )
        changes[priority] = PolicyValues(
            first_response_minutes=item.first_response_minutes,
            next_response_minutes=item.next_response_minutes,
            resolution_minutes=item.resolution_minutes,
            at_risk_percent=item.at_risk_percent,
            pause_while_waiting_customer=item.pause_while_waiting_customer,
        )
    return changes


def alerts_from_form(form: FormData) -> dict[str, int]:
    values = {
        name: _whole(str(form.get(name, "")), f"{label}: informe um número inteiro.")
        for name, label, _ in ALERT_FIELDS
    }
    body = validated(
        AlertSettingsIn,
        {name: f"{label}: valor fora do intervalo aceito." for name, label in ALERT_LABELS.items()}
        | {name: f"{ALERT_LABELS[name]}: de 1 a 1.440 minutos." for name in WINDOWS},
        **values,
    )
    return body.model_dump(exclude_none=True)


async def _render(
    request: Request,
    session: SessionDep,
    *,
    policy_form: FormData | None = None,
    policy_error: str | None = None,
    alert_form: FormData | None = None,
    alert_error: str | None = None,
) -> Response:
    saved = dict(await sla_service.policies(session))
    rows = []
    for priority in PRIORITIES:
        values = saved[priority]

        def shown(field: str, values: PolicyValues = values, priority: Priority = priority) -> str:
            if policy_form is not None:
                return str(policy_form.get(f"{priority.value}-{field}", ""))[:12]
            return str(getattr(values, field))

        rows.append(
            {
                "priority": priority,
                "values": values,
                "targets": [(field, what, shown(field)) for field, what in TARGET_FIELDS],
                "at_risk_percent": shown("at_risk_percent"),
                "pause": (
                    policy_form.get(f"{priority.value}-pause") == "sim"
                    if policy_form is not None
                    else values.pause_while_waiting_customer
                ),
            }
        )
    alerts = await operational.alert_settings(session)
    alert_rows = [
        (
            name,
            label,
            hint,
            str(alert_form.get(name, ""))[:12] if alert_form is not None else str(getattr(alerts, name)),
        )
        for name, label, hint in ALERT_FIELDS
    ]
    return render_tab(
        request,
        "atendimento/settings/sla.html",
        SLA_URL,
        status_code=422 if policy_error or alert_error else 200,
        rows=rows,
        alert_rows=alert_rows,
        alerts=alerts,
        minutes_br=minutes_br,
        max_minutes=MAX_TARGET_MINUTES,
        policy_error=policy_error,
        alert_error=alert_error,
    )


@router.get(SLA_URL)
async def sla_page(request: Request, supervisor: SessionSupervisor, session: SessionDep) -> Response:
    return await _render(request, session)


@router.post(f"{SLA_URL}/politicas")
async def save_policies(request: Request, supervisor: SessionSupervisor, session: SessionDep) -> Response:
    form = await request.form()
    try:
        await sla_service.update_policies(session, supervisor, policies_from_form(form))
    except CarinhoError as exc:
        await discard_changes(session, supervisor)
        return await _render(request, session, policy_form=form, policy_error=exc.message)
    return RedirectResponse(f"{SLA_URL}?salvo=1", status_code=303)


@router.post(f"{SLA_URL}/alertas")
async def save_alerts(request: Request, supervisor: SessionSupervisor, session: SessionDep) -> Response:
    form = await request.form()
    try:
        await operational.update_alert_settings(session, supervisor, alerts_from_form(form))
    except CarinhoError as exc:
        await discard_changes(session, supervisor)
        return await _render(request, session, alert_form=form, alert_error=exc.message)
    return RedirectResponse(f"{SLA_URL}?salvo=1#alertas", status_code=303)
