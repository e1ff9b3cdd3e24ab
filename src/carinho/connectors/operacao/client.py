"""Operação client: contracts and schedules, services executed, emergencies and escalations
(docs/contratos/operacao.md)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime

from carinho.connectors.base import Page, SystemClient
from carinho.connectors.operacao.schemas import (
    ContractInput,
    EmergencyInput,
    EscalationInput,
    Occurrence,
    OperacaoContract,
    ServiceRecord,
)


class OperacaoClient(SystemClient):
    system = "operacao"

    async def upsert_contract(
        self, crm_contract_id: int | str, contract: ContractInput, *, idempotency_key: str | None = None
    ) -> OperacaoContract:
        data = await self._write(
            "PUT", f"/contracts/{crm_contract_id}", contract, idempotency_key=idempotency_key
        )
        return OperacaoContract.model_validate(data)

    async def get_contract(self, crm_contract_id: int | str) -> OperacaoContract:
        return await self._get_one(f"/contracts/{crm_contract_id}", OperacaoContract)

    async def get_service(self, service_id: int | str) -> ServiceRecord:
        return await self._get_one(f"/services/{service_id}", ServiceRecord)

    async def list_services(
        self, *, page: int = 1, updated_since: datetime | None = None, status: str | None = None
    ) -> Page[ServiceRecord]:
        return await self._get_page(
            "/services", ServiceRecord, page=page, updated_since=updated_since, status=status
        )

    def services(
        self, *, updated_since: datetime | None = None, status: str | None = "concluido"
    ) -> AsyncIterator[ServiceRecord]:
        return self._iterate("/services", ServiceRecord, updated_since=updated_since, status=status)

    async def report_emergency(
        self, emergency: EmergencyInput, *, idempotency_key: str | None = None
    ) -> Occurrence:
        return Occurrence.model_validate(
            await self._write("POST", "/emergencies", emergency, idempotency_key=idempotency_key)
        )

    async def report_escalation(
        self, escalation: EscalationInput, *, idempotency_key: str | None = None
    ) -> Occurrence:
        return Occurrence.model_validate(
            await self._write("POST", "/escalations", escalation, idempotency_key=idempotency_key)
        )
