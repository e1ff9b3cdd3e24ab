"""`POST /webhooks/whatsapp`: Z-API callbacks, forwarded by the hub (signed) or straight from Z-API
(`?token=`). Same rules as the hub: X-Signature HMAC, Standard Webhooks, or the token; else 401."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request

from carinho.atendimento.deps import SessionDep
from carinho.atendimento.inbox.inbound import inbound_service
from carinho.atendimento.inbox.schemas import WebhookResult
from carinho.connectors.zapi.callbacks import (
    DeliveryReport,
    MessageStatus,
    ReceivedMessage,
    parse_callback,
)
from carinho.errors import BadRequest, Unauthorized, UnsupportedMediaType
from carinho.kit.openapi_responses import documented
from carinho.kit.signatures import verify_zapi
from carinho.kit.text import json_from_bytes
from carinho.logging import get_logger

log = get_logger(__name__)

router = APIRouter(tags=["webhooks"])


@router.post(
    "/webhooks/whatsapp",
    response_model=WebhookResult,
    responses=documented(
        {
            400: "Corpo que não é JSON",
            401: "Token ou assinatura da Z-API ausente ou inválido",
            415: "Content-Type que não é application/json",
        }
    ),
)
async def whatsapp_webhook(
    request: Request,
    session: SessionDep,
    token: Annotated[
        str | None, Query(description="ZAPI_WEBHOOK_SECRET (URL configurada no painel Z-API)")
    ] = None,
) -> WebhookResult:
    """Recebe callbacks da Z-API (mensagens, status de entrega). Idempotente pelo id da mensagem."""
    body = await request.body()
    secret = request.app.state.runtime.settings.zapi_webhook_secret.get_secret_value()
    if not verify_zapi(secret, body, request.headers, token):
        raise Unauthorized("invalid or missing webhook signature")
    content_type = request.headers.get("content-type", "application/json")
    if "json" not in content_type:
        raise UnsupportedMediaType("send application/json")
    try:
        payload: Any = json_from_bytes(body)
    except (ValueError, RecursionError):
        raise BadRequest("the body is not valid JSON") from None
    if not isinstance(payload, dict):
        raise BadRequest("the body must be a JSON object")
    callback = parse_callback(payload)
    if isinstance(callback, ReceivedMessage):
        result = await inbound_service.receive(session, callback)
        return WebhookResult(
            status=result.outcome,
            message_id=result.message_id,
            conversation_id=result.conversation_id,
            new_conversation=result.new_conversation,
            detail=result.reason,
        )
    if isinstance(callback, MessageStatus):
        changed = await inbound_service.apply_status(session, callback)
        return WebhookResult(status="status_applied" if changed else "ignored", updated=changed)
    if isinstance(callback, DeliveryReport):
        changed = await inbound_service.apply_delivery(session, callback)
        return WebhookResult(status="delivery_applied" if changed else "ignored", updated=int(changed))
    log.info("atendimento.webhook_ignored", callback=type(callback).__name__)
    return WebhookResult(status="ignored", detail=type(callback).__name__)
