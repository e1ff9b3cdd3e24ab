"""The seven inbound webhook endpoints, as documented in OpenAPI. In the hub's app the fast ingest's
gateway (`kit/fast_ingest/gateway.py`) answers these POSTs before the router (unless
INGEST_FAST_PATH=false); both hand the request to the same receiver
(`receiver.py`). They read the raw body themselves: signatures are checked on the exact bytes received
(PHP's json_encode escapes `/` and non-ASCII; a re-serialisation would not match)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from carinho.integracoes.events.schemas import IngestResponse
from carinho.integracoes.webhooks.receiver import RECEIVERS, ZAPI_PATH, InboundWebhook, answer
from carinho.integracoes.webhooks.sources import SYSTEM_WEBHOOKS
from carinho.kit.openapi_responses import documented

router = APIRouter(tags=["webhooks"])

_ERRORS: dict[int | str, dict[str, Any]] = {
    200: {"model": IngestResponse, "description": "Duplicate: the first event's id, `duplicate: true`"},
    **documented(
        {
            400: "Malformed JSON",
            401: "Missing or invalid signature; nothing was stored",
            413: "Body too large",
            415: "Content type is not application/json",
            422: "Schema errors, listing the fields",
        }
    ),
}

_SYSTEM_HEADERS = [
    {
        "name": "Signature",
        "in": "header",
        "required": False,
        "description": "spatie: hex HMAC-SHA256 of the raw body with WEBHOOK_SECRET_<SOURCE>",
        "schema": {"type": "string"},
    },
    {
        "name": "webhook-id",
        "in": "header",
        "required": False,
        "description": "Standard Webhooks message id (also the idempotency key)",
        "schema": {"type": "string"},
    },
    {"name": "webhook-timestamp", "in": "header", "required": False, "schema": {"type": "string"}},
    {
        "name": "webhook-signature",
        "in": "header",
        "required": False,
        "description": "Standard Webhooks `v1,<base64>` signatures, space-separated",
        "schema": {"type": "string"},
    },
    {
        "name": "Idempotency-Key",
        "in": "header",
        "required": False,
        "description": "Overrides the payload's own id as the idempotency key",
        "schema": {"type": "string"},
    },
]


async def _receive(request: Request) -> JSONResponse:
    receiver = RECEIVERS[request.scope["route"].path]
    inbound = InboundWebhook(
        body=await request.body(),
        headers=request.headers,
        token=request.query_params.get("token"),
        request_id=getattr(request.state, "request_id", None),
    )
    return answer(receiver.source, await receiver.receive(request.app.state.runtime, inbound))


for _hook in SYSTEM_WEBHOOKS:
    _schema = _hook.model.model_json_schema(by_alias=False)
    router.add_api_route(
        _hook.path,
        _receive,
        name="receive_" + _hook.event_type.replace(".", "_"),
        methods=["POST"],
        status_code=202,
        summary=_hook.summary,
        description=(
            f"Sender: **{_hook.source}** · event type `{_hook.event_type}`. Authenticated by the spatie "
            f"`Signature` header or Standard Webhooks headers with `WEBHOOK_SECRET_{_hook.source.upper()}`. "
            "Unknown extra fields are accepted and kept. Idempotency key: `Idempotency-Key` or `webhook-id` "
            f"header, else `{_hook.model.id_field}`, else the SHA-256 of the body."
        ),
        response_model=IngestResponse,
        responses=_ERRORS,
        openapi_extra={
            "parameters": _SYSTEM_HEADERS,
            "requestBody": {"required": True, "content": {"application/json": {"schema": _schema}}},
        },
    )


ZAPI_EXAMPLE = {
    "type": "ReceivedCallback",
    "instanceId": "3C7A9B1E2D4F6A8B0C1D2E3F4A5B6C7D",
    "messageId": "3EB0C767D26A3D1C9F2A",
    "phone": "5511912345678",
    "fromMe": False,
    "isGroup": False,
    "momment": 1764331200000,
    "status": "RECEIVED",
    "senderName": "Maria",
    "chatName": "Maria",
    "text": {"message": "Olá, gostaria de informações sobre cuidadores."},
}


@router.post(
    ZAPI_PATH,
    status_code=202,
    summary="Callback da Z-API (WhatsApp)",
    description=(
        "Every Z-API callback (ReceivedCallback, MessageStatusCallback, DeliveryCallback, "
        "ConnectedCallback, DisconnectedCallback, PresenceChatCallback, and unknown ones) is accepted with "
        "a 2xx when it is a JSON object. Authenticated by `X-Signature` (hex HMAC-SHA256 of the body with "
        "ZAPI_WEBHOOK_SECRET) or `?token=<ZAPI_WEBHOOK_SECRET>`. Types no flow uses, and group chats unless "
        "ZAPI_ACCEPT_GROUP_MESSAGES is on, are stored with status `ignored`. Idempotency key: `messageId` "
        "(status callbacks: ids + status)."
    ),
    response_model=IngestResponse,
    responses=_ERRORS,
    openapi_extra={
        "parameters": [
            {"name": "token", "in": "query", "required": False, "schema": {"type": "string"}},
            {"name": "X-Signature", "in": "header", "required": False, "schema": {"type": "string"}},
        ],
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {
                    "schema": {"type": "object", "additionalProperties": True},
                    "example": ZAPI_EXAMPLE,
                }
            },
        },
    },
)
async def receive_whatsapp(request: Request) -> JSONResponse:
    return await _receive(request)
