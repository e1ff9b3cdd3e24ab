"""The four syncs of seed module 5: what each reads (incrementally, page by page), which mapping turns
a record into the target's input, and how the target is upserted."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.interval import IntervalTrigger
from pydantic import BaseModel

from carinho.config import Settings
from carinho.connectors.crm.client import CrmClient
from carinho.connectors.crm.schemas import CaregiverInput
from carinho.connectors.cuidadores.client import CuidadoresClient
from carinho.connectors.financeiro.client import FinanceiroClient
from carinho.connectors.financeiro.schemas import BillableServiceInput, SubscriptionInput
from carinho.connectors.operacao.client import OperacaoClient
from carinho.connectors.operacao.schemas import ContractInput


@dataclass(frozen=True)
class SourceRecord:
    source_id: str
    updated_at: datetime | None
    data: dict[str, Any]
    context: dict[str, Any]


Reader = Callable[[Settings, datetime | None], AsyncIterator[SourceRecord]]
Writer = Callable[[Settings, str, BaseModel, str], Awaitable[str | None]]


@dataclass(frozen=True)
class SyncDefinition:
    name: str
    description: str
    trigger: BaseTrigger
    source: str
    target: str
    mapping: str  # the event type of its mapping (target system = `target`)
    input_model: type[BaseModel]
    read: Reader
    write: Writer


async def _crm_contracts(settings: Settings, since: datetime | None) -> AsyncIterator[SourceRecord]:
    clients: dict[int, dict[str, Any]] = {}
    async with CrmClient(settings) as crm:
        async for contract in crm.contracts(updated_since=since):
            if contract.client_id not in clients:
                clients[contract.client_id] = (await crm.get_client(contract.client_id)).model_dump(
                    mode="json"
                )
            yield SourceRecord(
                str(contract.id),
                contract.updated_at,
                contract.model_dump(mode="json"),
                {"client": clients[contract.client_id]},
            )


async def _contracts_only(settings: Settings, since: datetime | None) -> AsyncIterator[SourceRecord]:
    async with CrmClient(settings) as crm:
        async for contract in crm.contracts(updated_since=since):
            yield SourceRecord(str(contract.id), contract.updated_at, contract.model_dump(mode="json"), {})


async def _services(settings: Settings, since: datetime | None) -> AsyncIterator[SourceRecord]:
    async with OperacaoClient(settings) as operacao:
        async for service in operacao.services(updated_since=since, status="concluido"):
            yield SourceRecord(str(service.id), service.updated_at, service.model_dump(mode="json"), {})


async def _caregivers(settings: Settings, since: datetime | None) -> AsyncIterator[SourceRecord]:
    async with CuidadoresClient(settings) as cuidadores:
        async for caregiver in cuidadores.caregivers(updated_since=since):
            yield SourceRecord(str(caregiver.id), caregiver.updated_at, caregiver.model_dump(mode="json"), {})


async def _to_operacao(settings: Settings, source_id: str, data: BaseModel, key: str) -> str | None:
    assert isinstance(data, ContractInput)
    async with OperacaoClient(settings) as operacao:
        return str((await operacao.upsert_contract(source_id, data, idempotency_key=key)).id)


async def _to_financeiro_services(
    settings: Settings, source_id: str, data: BaseModel, key: str
) -> str | None:
    assert isinstance(data, BillableServiceInput)
    async with FinanceiroClient(settings) as financeiro:
        return str((await financeiro.upsert_billable_service(source_id, data, idempotency_key=key)).id)


async def _to_financeiro_billing(settings: Settings, source_id: str, data: BaseModel, key: str) -> str | None:
    assert isinstance(data, SubscriptionInput)
    async with FinanceiroClient(settings) as financeiro:
        return str((await financeiro.upsert_subscription(source_id, data, idempotency_key=key)).id)


async def _to_crm_caregivers(settings: Settings, source_id: str, data: BaseModel, key: str) -> str | None:
    assert isinstance(data, CaregiverInput)
    async with CrmClient(settings) as crm:
        return str((await crm.upsert_caregiver(source_id, data, idempotency_key=key)).id)


SYNCS: dict[str, SyncDefinition] = {
    d.name: d
    for d in (
        SyncDefinition(
            name="crm_operacao_contracts",
            description="CRM → Operação: contratos e agendamentos (a cada hora)",
            trigger=IntervalTrigger(hours=1),
            source="crm",
            target="operacao",
            mapping="sync.crm_operacao_contracts",
            input_model=ContractInput,
            read=_crm_contracts,
            write=_to_operacao,
        ),
        SyncDefinition(
            name="operacao_financeiro_services",
            description="Operação → Financeiro: serviços executados para faturamento (diário)",
            trigger=IntervalTrigger(days=1),
            source="operacao",
            target="financeiro",
            mapping="sync.operacao_financeiro_services",
            input_model=BillableServiceInput,
            read=_services,
            write=_to_financeiro_services,
        ),
        SyncDefinition(
            name="crm_financeiro_billing",
            description="CRM → Financeiro: setup de cobrança recorrente (2x ao dia)",
            trigger=IntervalTrigger(hours=12),
            source="crm",
            target="financeiro",
            mapping="sync.crm_financeiro_billing",
            input_model=SubscriptionInput,
            read=_contracts_only,
            write=_to_financeiro_billing,
        ),
        SyncDefinition(
            name="cuidadores_crm_caregivers",
            description="Cuidadores → CRM: atualizações de cuidadores (a cada 4 horas)",
            trigger=IntervalTrigger(hours=4),
            source="cuidadores",
            target="crm",
            mapping="sync.cuidadores_crm_caregivers",
            input_model=CaregiverInput,
            read=_caregivers,
            write=_to_crm_caregivers,
        ),
    )
}
