"""The hub's client, used by atendimento: today, a data-subject erase passed on to the hub's
`POST /api/privacy/requests` (X-API-Key = CARINHO_INTEGRACOES_API_KEY, a key created in the hub)."""

from __future__ import annotations

from typing import Any

from carinho.connectors.base import SystemClient
from carinho.connectors.errors import ConnectorPermanentError


class IntegracoesClient(SystemClient):
    system = "integracoes"

    async def privacy_request(
        self,
        *,
        kind: str,
        phone: str | None = None,
        email: str | None = None,
        reason: str,
        reference: str,
    ) -> dict[str, Any]:
        """Export or erase a person's data in the hub. `reference` identifies the request across
        retries: the hub updates the same record (and the erase is idempotent)."""
        root = self.base_url.removesuffix("/api/v1")
        body = {"kind": kind, "phone": phone, "email": email, "reason": reason, "reference": reference}
        response = await self._send(
            "POST",
            "",
            url=f"{root}/api/privacy/requests",
            json={k: v for k, v in body.items() if v is not None},
            idempotency_key=reference,
        )
        data = response.json()
        if not isinstance(data, dict) or "id" not in data:
            raise ConnectorPermanentError(
                "the hub answered a privacy request without an id", system=self.system
            )
        return data
