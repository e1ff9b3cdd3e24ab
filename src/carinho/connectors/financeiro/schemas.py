"""Financeiro records and inputs (docs/contratos/financeiro.md). Money is integer centavos (BRL)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, Field

from carinho.connectors.base import Resource
from carinho.connectors.crm.schemas import Address

PaymentMethod = Literal["boleto", "pix", "cartao"]


class CustomerInput(BaseModel):
    name: str
    email: str | None = None
    phone: str | None = None
    cpf: str | None = None
    address: Address | None = None


class Customer(Resource):
    id: int
    crm_client_id: int
    name: str
    updated_at: datetime | None = None


class SubscriptionInput(BaseModel):
    """Recurring billing of a contract (sync CRM → Financeiro, twice a day)."""

    crm_client_id: int
    amount_cents: int = Field(ge=0)
    billing_day: int = Field(ge=1, le=28)
    payment_method: PaymentMethod
    starts_on: date
    ends_on: date | None = None
    status: Literal["ativa", "suspensa", "cancelada"] = "ativa"
    description: str | None = None


class Subscription(Resource):
    id: int
    crm_contract_id: int
    crm_client_id: int
    amount_cents: int
    billing_day: int
    status: str
    updated_at: datetime | None = None


class BillableServiceInput(BaseModel):
    """A service executed, to be billed (sync Operação → Financeiro, daily)."""

    crm_contract_id: int
    crm_client_id: int
    service_date: date
    hours: float = Field(ge=0)
    amount_cents: int = Field(ge=0)
    caregiver_id: int | None = None


class BillableService(Resource):
    id: int
    operacao_service_id: int
    amount_cents: int
    invoice_id: int | None = None


class Invoice(Resource):
    id: int
    crm_client_id: int
    amount_cents: int
    due_date: date
    status: str
    paid_at: datetime | None = None
    updated_at: datetime | None = None


class Payment(Resource):
    id: int
    invoice_id: int | None = None
    crm_client_id: int
    amount_cents: int
    method: str
    status: str
    paid_at: datetime | None = None
    updated_at: datetime | None = None


class Payout(Resource):
    """A transfer (repasse) to a caregiver."""

    id: int
    caregiver_id: int
    amount_cents: int
    period_start: date
    period_end: date
    status: str
    paid_at: datetime | None = None
    updated_at: datetime | None = None
