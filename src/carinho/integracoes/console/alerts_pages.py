"""Alertas: the open alerts (an operator acknowledges one), the rules and their thresholds (an admin
edits them) and the history of alerts opened and resolved. Everything goes through alert_service,
the same the scheduler's evaluation uses."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Path, Query, Request
from fastapi.responses import Response

from carinho.errors import ValidationFailed
from carinho.integracoes.alerts.rules import KINDS
from carinho.integracoes.alerts.service import alert_service
from carinho.integracoes.console.auth import ConsoleAdmin, ConsoleOperator, ConsoleViewer, HubSession
from carinho.integracoes.console.pages import pages
from carinho.integracoes.console.views import audit, done
from carinho.integracoes.operators.models import OperatorRole
from carinho.kit.db import BIGINT_MAX
from carinho.kit.ids import Id

router = APIRouter(include_in_schema=False)

LIST_URL = "/alertas"
HISTORY_PAGE = 50
AlertId = Id


@router.get(LIST_URL)
async def alerts_page(
    request: Request,
    session: HubSession,
    operator: ConsoleViewer,
    antes: Annotated[int | None, Query(ge=1, le=BIGINT_MAX)] = None,
) -> Response:
    history = list(await alert_service.history(session, antes, HISTORY_PAGE + 1))
    return pages.render(
        request,
        "console/alerts/list.html",
        active="alertas",
        title="Alertas",
        open_alerts=await alert_service.open_alerts(session),
        rules=await alert_service.rules(session),
        history=history[:HISTORY_PAGE],
        next_before=history[HISTORY_PAGE - 1].id if len(history) > HISTORY_PAGE else None,
        kinds=KINDS,
        can_ack=operator.has_role(OperatorRole.operator),
        can_edit=operator.has_role(OperatorRole.admin),
    )


@router.post(LIST_URL + "/{alert_id}/reconhecer")
async def acknowledge(
    request: Request, session: HubSession, operator: ConsoleOperator, alert_id: AlertId
) -> Response:
    alert = await alert_service.acknowledge(session, alert_id, operator.name)
    audit(
        session,
        operator,
        "alert_acknowledged",
        f"alert:{alert_id}",
        {"kind": alert.kind, "subject": alert.subject},
    )
    return done(request, LIST_URL, f"Alerta {alert_id} reconhecido.")


def _number(value: str, label: str) -> float:
    try:
        number = float(value.strip().replace(",", "."))
    except ValueError:
        raise ValidationFailed(f"{label}: informe um número.") from None
    if number != number or number in (float("inf"), float("-inf")):  # NaN or infinite
        raise ValidationFailed(f"{label}: informe um número.")
    return number


@router.post(LIST_URL + "/regras/{kind}")
async def update_rule(
    request: Request,
    session: HubSession,
    operator: ConsoleAdmin,
    kind: Annotated[str, Path(max_length=40)],
    limite: Annotated[str, Form(max_length=20)] = "",
    janela: Annotated[str, Form(max_length=20)] = "",
    ativa: Annotated[str, Form(max_length=10)] = "",
) -> Response:
    threshold = _number(limite, "Limite")
    window = _number(janela, "Janela")
    if window != int(window):
        raise ValidationFailed("Janela: informe minutos inteiros.")
    rule = await alert_service.update_rule(
        session,
        kind,
        enabled=bool(ativa),
        threshold=threshold,
        window_minutes=int(window),
        operator_id=operator.id,
    )
    audit(
        session,
        operator,
        "alert_rule_updated",
        f"alert_rule:{kind}",
        {"enabled": rule.enabled, "threshold": rule.threshold, "window_minutes": rule.window_minutes},
    )
    return done(request, LIST_URL, f"Regra “{KINDS[kind].label}” salva.")
