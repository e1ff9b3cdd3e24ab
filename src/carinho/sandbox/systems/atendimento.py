"""The atendimento simulator (docs/contratos/atendimento.md), for testing the hub without the real
contact center: the forwarded WhatsApp webhook and notifications."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse

from carinho.connectors.atendimento.client import Notification
from carinho.kit.signatures import verify_hmac_hex
from carinho.sandbox.systems.common import LaravelError, dump, guard, idempotent, store_of, validated

SYSTEM = "atendimento"
webhooks = APIRouter(prefix=f"/{SYSTEM}", tags=["sandbox: atendimento"])
router = APIRouter(
    prefix=f"/{SYSTEM}/api/v1", tags=["sandbox: atendimento"], dependencies=[Depends(guard(SYSTEM))]
)


@webhooks.post("/webhooks/whatsapp", status_code=202)
async def whatsapp(request: Request) -> dict[str, Any]:
    secret = request.app.state.sandbox.settings.zapi_webhook_secret.get_secret_value()
    body = await request.body()
    token = request.query_params.get("token")
    signed = verify_hmac_hex(secret, body, request.headers.get("x-signature"))
    if not (signed or (secret and token == secret)):
        raise LaravelError(401, "Assinatura inválida.")
    payload = await request.json()
    if not isinstance(payload, dict):
        raise LaravelError(422, "O corpo deve ser um objeto JSON.")
    await store_of(request).insert(
        SYSTEM, "whatsapp_events", {"type": payload.get("type"), "payload": payload}
    )
    return {"status": "accepted"}


@router.post("/notifications")
async def notify(request: Request) -> JSONResponse:
    async def work() -> tuple[int, Any]:
        notification = await validated(request, Notification)
        record = await store_of(request).insert(
            SYSTEM, "notifications", {**dump(notification), "status": "recebida"}
        )
        return 201, {"data": record}

    return await idempotent(request, SYSTEM, work)
