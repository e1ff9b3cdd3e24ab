"""Atendimento client, used by the hub (docs/contratos/atendimento.md): forwards Z-API callbacks to
atendimento's `/webhooks/whatsapp`, byte for byte and signed, and sends it notifications."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

from carinho.connectors.base import Resource, SystemClient
from carinho.connectors.errors import ConnectorPermanentError
from carinho.kit.signatures import hmac_hex


class Notification(BaseModel):
    """Something a customer's conversation should show (e.g. operação reported an emergency)."""

    type: Literal["emergencia", "escalonamento", "servico_concluido", "pagamento", "aviso"]
    phone: str
    title: str = Field(max_length=200)
    body: str = Field(max_length=5000)
    severity: Literal["baixa", "media", "alta", "critica"] = "media"
    reference: str | None = Field(default=None, description="id in the system that raised it")
    occurred_at: datetime | None = None


class NotificationReceipt(Resource):
    id: int | str
    status: str = "recebida"


class AtendimentoClient(SystemClient):
    system = "atendimento"

    async def forward_whatsapp(
        self, payload: dict[str, Any] | bytes, *, idempotency_key: str | None = None
    ) -> Any:
        """POST the Z-API callback to `/webhooks/whatsapp` with `X-Signature` = hex HMAC-SHA256 of
        the exact body bytes under ZAPI_WEBHOOK_SECRET. Pass the raw bytes the hub received to
        forward them unchanged."""
        secret = self.settings.zapi_webhook_secret.get_secret_value()
        if not secret:
            raise ConnectorPermanentError("ZAPI_WEBHOOK_SECRET is not configured", system=self.system)
        body = payload if isinstance(payload, bytes) else json.dumps(payload, ensure_ascii=False).encode()
        root = self.base_url.removesuffix("/api/v1")
        response = await self._send(
            "POST",
            "",
            url=f"{root}/webhooks/whatsapp",
            content=body,
            extra_headers={"Content-Type": "application/json", "X-Signature": hmac_hex(secret, body)},
            idempotency_key=idempotency_key,
        )
        return response.json() if response.content else None

    async def notify(
        self, notification: Notification, *, idempotency_key: str | None = None
    ) -> NotificationReceipt:
        data = await self._write("POST", "/notifications", notification, idempotency_key=idempotency_key)
        return NotificationReceipt.model_validate(data)
