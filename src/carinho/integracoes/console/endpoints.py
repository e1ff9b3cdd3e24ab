"""Endpoints e entregas: the outbound webhook endpoints (what the Svix portal gives its users).
Everyone reads; an admin creates one, edits it, disables or re-enables it, rotates its secret (each new secret
shown once, in the answer only); an operator resends a failed delivery. Each delivery shows its
attempts with the request and the response's excerpt, masked. Each action audited."""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import Response
from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from carinho.errors import Conflict, NotFound, ValidationFailed
from carinho.integracoes.console import labels, views
from carinho.integracoes.console.actions import answer
from carinho.integracoes.console.auth import ConsoleAdmin, ConsoleOperator, ConsoleViewer, HubSession
from carinho.integracoes.console.pages import pages
from carinho.integracoes.console.views import audit
from carinho.integracoes.deliveries.models import DeliveryStatus
from carinho.integracoes.deliveries.service import delivery_service
from carinho.integracoes.dlq.service import dead_letter_service
from carinho.integracoes.events.models import IntegrationEvent
from carinho.integracoes.operators.models import Operator, OperatorRole
from carinho.integracoes.webhook_endpoints.models import WebhookEndpoint
from carinho.integracoes.webhook_endpoints.schemas import EndpointCreate, EndpointUpdate, RotateSecret
from carinho.integracoes.webhook_endpoints.service import webhook_endpoint_service
from carinho.kit.db import BIGINT_MAX
from carinho.kit.ids import Id
from carinho.kit.retry import MAX_SCHEDULE_SECONDS

router = APIRouter(include_in_schema=False)

URL = "/endpoints"
PAGE = 25
DELIVERIES_PAGE = 25
REQUEST_EXCERPT_CHARS = 2000
Before = Annotated[int | None, Query(ge=1, le=BIGINT_MAX)]
Short = Annotated[str, Query(max_length=40)]
GRACE_OPTIONS = [
    (0, "Nenhum (o antigo para de valer já)"),
    (3600, "1 hora"),
    (86_400, "24 horas"),
    (604_800, "7 dias"),
]


def _helpers() -> dict[str, Any]:
    return {
        "delivery_status": lambda value: labels.status(views.DELIVERY_STATUS, value),
        "attempt_status": lambda value: labels.status(labels.ATTEMPT_STATUS, value),
        "attempt_trigger": lambda value: views.TRIGGER.get(value, value),
        "run_time": labels.run_time,
        "status_options": [(s.value, views.DELIVERY_STATUS[s.value][0]) for s in DeliveryStatus],
        "grace_options": GRACE_OPTIONS,
    }


async def _endpoint(session: AsyncSession, endpoint_id: int) -> WebhookEndpoint:
    try:
        return await webhook_endpoint_service.get(session, endpoint_id)
    except NotFound:
        raise NotFound("Endpoint não encontrado (ou excluído).") from None


# ---------------------------------------------------------------------- the list


async def _list_context(
    session: AsyncSession, operator: Operator, destino: str, situacao: str, cursor: str | None
) -> dict[str, Any]:
    enabled = {"ativos": True, "desativados": False}.get(situacao)
    target = destino.strip() or None
    if target is not None and not target.replace("_", "").replace("-", "").isalnum():
        target = None
    page = await webhook_endpoint_service.page(
        session, cursor=cursor, limit=PAGE, target_system=target, enabled=enabled
    )
    return {
        "endpoints": page.items,
        "cursor": page.next_cursor,
        "filters": {"destino": target or "", "situacao": situacao if enabled is not None else ""},
        "is_admin": operator.has_role(OperatorRole.admin),
        "created": None,
        **_helpers(),
    }


@router.get(URL)
async def endpoints_page(
    request: Request,
    session: HubSession,
    operator: ConsoleViewer,
    destino: Short = "",
    situacao: Short = "",
    cursor: Annotated[str | None, Query(max_length=40)] = None,
) -> Response:
    context = await _list_context(session, operator, destino, situacao, cursor)
    return pages.render(
        request, "console/endpoints/list.html", active="endpoints", title="Endpoints e entregas", **context
    )


def _event_types(text: str) -> list[str]:
    return [part for part in text.replace(",", " ").split() if part]


NO_RETRIES = "nenhuma"


def _retry_schedule(text: str) -> list[int] | None:
    """The form's waits: empty for the hub's default, "nenhuma" for none, else seconds."""
    text = text.strip().lower()
    if not text:
        return None
    if text == NO_RETRIES:
        return []
    parts = text.replace(",", " ").split()
    if not all(part.isdigit() and len(part) <= 9 for part in parts):
        raise ValidationFailed(
            "Novas tentativas: os segundos de espera, separados por espaço (ex.: 10 60 600), "
            f"“{NO_RETRIES}” ou vazio para o padrão do hub."
        )
    return [int(part) for part in parts]


def _invalid(exc: ValidationError) -> ValidationFailed:
    """The first field pydantic refused, said in pt-BR."""
    field = str(exc.errors()[0]["loc"][0]) if exc.errors() and exc.errors()[0]["loc"] else ""
    return ValidationFailed(
        {
            "url": "Informe uma URL http(s) completa, sem usuário e senha; um domínio com acentos vai "
            "na forma xn-- (carinhosaúde.com.br é xn--carinhosade-dhb.com.br).",
            "target_system": "Informe o sistema de destino (letras minúsculas, ex.: crm).",
            "event_types": "Tipos de evento: letras, números, ponto, hífen e sublinhado, "
            "separados por espaço.",
            "retry_schedule": "Novas tentativas: no máximo 20 esperas, cada uma de até "
            f"{MAX_SCHEDULE_SECONDS // 86_400} dias.",
        }.get(field, "Confira os campos do formulário.")
    )


@router.post(URL)
async def create_endpoint(
    request: Request,
    session: HubSession,
    operator: ConsoleAdmin,
    url: Annotated[str, Form(max_length=2000)] = "",
    destino: Annotated[str, Form(max_length=40)] = "",
    eventos: Annotated[str, Form(max_length=8000)] = "",
    descricao: Annotated[str, Form(max_length=500)] = "",
) -> Response:
    try:
        data = EndpointCreate(
            url=url.strip(),
            target_system=destino.strip(),
            event_types=_event_types(eventos),
            description=descricao.strip(),
        )
    except ValidationError as exc:
        raise _invalid(exc) from None
    endpoint, secret = await webhook_endpoint_service.create(session, data)
    audit(session, operator, "endpoint_created", f"endpoint:{endpoint.id}", {"url": endpoint.url})
    context = await _list_context(session, operator, "", "", None)
    context["created"] = {"id": endpoint.id, "url": endpoint.url, "secret": secret}
    return answer(request, "console/endpoints/list_body.html", toast="Endpoint criado.", **context)


# ---------------------------------------------------------------------- one endpoint


async def _detail_context(
    session: AsyncSession, operator: Operator, endpoint: WebhookEndpoint, status: str, before: int | None
) -> dict[str, Any]:
    state = status if status in set(DeliveryStatus) else None
    deliveries, cursor = await delivery_service.page_for_endpoint(
        session, endpoint.id, state, before, DELIVERIES_PAGE
    )
    return {
        "endpoint": endpoint,
        "deliveries": deliveries,
        "cursor": cursor,
        "filters": {"situacao": state or ""},
        "is_admin": operator.has_role(OperatorRole.admin),
        "can_resend": operator.has_role(OperatorRole.operator),
        "secret": None,
        **_helpers(),
    }


@router.get(f"{URL}/{{endpoint_id}}")
async def endpoint_page(
    request: Request,
    session: HubSession,
    operator: ConsoleViewer,
    endpoint_id: Id,
    situacao: Short = "",
    antes: Before = None,
) -> Response:
    endpoint = await _endpoint(session, endpoint_id)
    context = await _detail_context(session, operator, endpoint, situacao, antes)
    more = antes is not None and request.headers.get("hx-request") == "true"
    template = "console/endpoints/delivery_rows.html" if more else "console/endpoints/detail.html"
    return pages.render(request, template, active="endpoints", title=f"Endpoint #{endpoint.id}", **context)


@router.post(f"{URL}/{{endpoint_id}}/desativar")
async def endpoint_disable(
    request: Request, session: HubSession, operator: ConsoleAdmin, endpoint_id: Id
) -> Response:
    endpoint = await _endpoint(session, endpoint_id)
    if endpoint.disabled_at is None:
        webhook_endpoint_service.disable(endpoint, f"desativado no console por {operator.email}")
    audit(session, operator, "endpoint_disabled", f"endpoint:{endpoint.id}")
    await session.flush()
    context = await _detail_context(session, operator, endpoint, "", None)
    toast = "Endpoint desativado: não recebe mais eventos."
    return answer(request, "console/endpoints/detail_body.html", toast=toast, **context)


@router.post(f"{URL}/{{endpoint_id}}/reativar")
async def endpoint_enable(
    request: Request, session: HubSession, operator: ConsoleAdmin, endpoint_id: Id
) -> Response:
    await _endpoint(session, endpoint_id)
    endpoint = await webhook_endpoint_service.update(session, endpoint_id, EndpointUpdate(enabled=True))
    audit(session, operator, "endpoint_enabled", f"endpoint:{endpoint.id}")
    await session.flush()
    context = await _detail_context(session, operator, endpoint, "", None)
    toast = "Endpoint reativado: volta a receber eventos."
    return answer(request, "console/endpoints/detail_body.html", toast=toast, **context)


@router.post(f"{URL}/{{endpoint_id}}/editar")
async def endpoint_edit(
    request: Request,
    session: HubSession,
    operator: ConsoleAdmin,
    endpoint_id: Id,
    url: Annotated[str, Form(max_length=2000)] = "",
    destino: Annotated[str, Form(max_length=40)] = "",
    eventos: Annotated[str, Form(max_length=8000)] = "",
    descricao: Annotated[str, Form(max_length=500)] = "",
    tentativas: Annotated[str, Form(max_length=400)] = "",
) -> Response:
    """What the API's PATCH changes, from the endpoint's page (enabling is its own button)."""
    before = _editable(await _endpoint(session, endpoint_id))
    try:
        data = EndpointUpdate(
            url=url.strip(),
            target_system=destino.strip(),
            event_types=_event_types(eventos),
            description=descricao.strip(),
            retry_schedule=_retry_schedule(tentativas),
        )
    except ValidationError as exc:
        raise _invalid(exc) from None
    endpoint = await webhook_endpoint_service.update(session, endpoint_id, data)
    after = _editable(endpoint)
    changed = sorted(name for name in after if after[name] != before[name])
    audit(session, operator, "endpoint_updated", f"endpoint:{endpoint.id}", {"changed": changed})
    await session.flush()
    context = await _detail_context(session, operator, endpoint, "", None)
    toast = "Endpoint atualizado." if changed else "Nada mudou no endpoint."
    return answer(request, "console/endpoints/detail_body.html", toast=toast, **context)


def _editable(endpoint: WebhookEndpoint) -> dict[str, Any]:
    """The fields the edit form changes, to say in the audit which ones did."""
    return {
        "url": endpoint.url,
        "target_system": endpoint.target_system,
        "event_types": list(endpoint.event_types or []),
        "description": endpoint.description,
        "retry_schedule": None if endpoint.retry_schedule is None else list(endpoint.retry_schedule),
    }


@router.post(f"{URL}/{{endpoint_id}}/segredo")
async def rotate_secret(
    request: Request,
    session: HubSession,
    operator: ConsoleAdmin,
    endpoint_id: Id,
    carencia: Annotated[int, Form(ge=0, le=604_800)] = 86_400,
) -> Response:
    await _endpoint(session, endpoint_id)
    endpoint, secret = await webhook_endpoint_service.rotate_secret(
        session, endpoint_id, RotateSecret(grace_period_seconds=carencia)
    )
    audit(
        session, operator, "endpoint_secret_rotated", f"endpoint:{endpoint.id}", {"grace_seconds": carencia}
    )
    await session.flush()
    context = await _detail_context(session, operator, endpoint, "", None)
    context["secret"] = secret
    return answer(request, "console/endpoints/detail_body.html", toast="Segredo trocado.", **context)


# ---------------------------------------------------------------------- one delivery


async def _delivery_context(
    session: AsyncSession, operator: Operator, endpoint: WebhookEndpoint, delivery_id: int
) -> dict[str, Any]:
    try:
        delivery, attempts = await delivery_service.with_attempts(session, delivery_id)
    except NotFound:
        raise NotFound("Entrega não encontrada.") from None
    if delivery.endpoint_id != endpoint.id:
        raise NotFound("Entrega não encontrada.")
    event = await session.get(IntegrationEvent, delivery.event_id)
    body = ""
    if event is not None:
        sent = json.loads(await delivery_service.body(session, event, endpoint))
        body = views.masked_json(sent)
        if len(body) > REQUEST_EXCERPT_CHARS:
            body = body[:REQUEST_EXCERPT_CHARS] + "\n…"
    return {
        "endpoint": endpoint,
        "delivery": delivery,
        "event": event,
        "attempts": list(reversed(attempts)),
        "request_body": body,
        "can_resend": operator.has_role(OperatorRole.operator) and delivery.status == DeliveryStatus.dead,
        **_helpers(),
    }


@router.get(f"{URL}/{{endpoint_id}}/entregas/{{delivery_id}}")
async def delivery_page(
    request: Request, session: HubSession, operator: ConsoleViewer, endpoint_id: Id, delivery_id: Id
) -> Response:
    endpoint = await _endpoint(session, endpoint_id)
    context = await _delivery_context(session, operator, endpoint, delivery_id)
    return pages.render(
        request,
        "console/endpoints/delivery.html",
        active="endpoints",
        title=f"Entrega #{delivery_id}",
        **context,
    )


@router.post(f"{URL}/{{endpoint_id}}/entregas/{{delivery_id}}/reenviar")
async def resend_delivery(
    request: Request, session: HubSession, operator: ConsoleOperator, endpoint_id: Id, delivery_id: Id
) -> Response:
    endpoint = await _endpoint(session, endpoint_id)
    await _delivery_context(session, operator, endpoint, delivery_id)  # it exists and is this endpoint's
    try:
        await dead_letter_service.resend_delivery(session, delivery_id)
    except Conflict as exc:
        if "disabled or deleted" in exc.message:
            raise Conflict("O endpoint está desativado: reative-o antes de reenviar.") from None
        raise Conflict("Só entregas que falharam podem ser reenviadas.") from None
    audit(session, operator, "delivery_resent", f"delivery:{delivery_id}", {"endpoint_id": endpoint.id})
    await session.flush()
    context = await _delivery_context(session, operator, endpoint, delivery_id)
    return answer(
        request,
        "console/endpoints/delivery_body.html",
        toast="Reenvio na fila: a tentativa aparece aqui quando terminar.",
        **context,
    )
