"""Operação records and inputs (docs/contratos/operacao.md)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, Field

from carinho.connectors.base import Resource
from carinho.connectors.crm.schemas import Address, Schedule


class ContractInput(BaseModel):
    """A CRM contract and its schedules, as operação plans it (sync CRM → Operação, hourly)."""

    crm_client_id: int
    client_name: str
    client_phone: str | None = None
    address: Address | None = None
    service_type: str
    status: str
    start_date: date
    end_date: date | None = None
    caregiver_id: int | None = None
    schedules: list[Schedule] = Field(default_factory=list)


class OperacaoContract(Resource):
    id: int
    crm_contract_id: int
    status: str
    schedules: list[Schedule] = Field(default_factory=list)
    updated_at: datetime | None = None


class ServiceRecord(Resource):
    """A visit (plantão) as executed; `concluido` ones are billed (sync Operação → Financeiro, daily)."""

    id: int
    crm_contract_id: int
    crm_client_id: int
    caregiver_id: int | None = None
    service_date: date
    started_at: datetime | None = None
    finished_at: datetime | None = None
    hours: float = 0
    status: str
    billable_amount_cents: int = 0
    notes: str | None = None
    updated_at: datetime | None = None


class EmergencyInput(BaseModel):
    conversation_id: int | str
    client_phone: str
    client_name: str | None = None
    category: Literal["saude", "queda", "ausencia_cuidador", "comportamento", "seguranca", "outros"]
    severity: Literal["baixa", "media", "alta", "critica"]
    description: str = Field(max_length=5000)
    reported_at: datetime | None = None


class EscalationInput(BaseModel):
    conversation_id: int | str
    client_phone: str
    level: Literal["n1", "n2", "n3"]
    reason: str = Field(max_length=2000)
    summary: str | None = Field(default=None, max_length=5000)


class Occurrence(Resource):
    """What operação opened for an emergency or escalation."""

    id: int
    protocol: str
    status: str
    created_at: datetime | None = None
