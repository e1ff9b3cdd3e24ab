"""Documentos records and inputs (docs/contratos/documentos.md)."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, Field

from carinho.connectors.base import Resource
from carinho.connectors.crm.schemas import Schedule


class ProposalInput(BaseModel):
    client_name: str
    email: str | None = None
    crm_lead_id: int | None = None
    crm_client_id: int | None = None
    service_type: str
    monthly_amount_cents: int = Field(ge=0)
    schedules: list[Schedule] = Field(default_factory=list)
    valid_until: date | None = None
    notes: str | None = Field(default=None, max_length=5000)


class ContractDocumentInput(BaseModel):
    crm_contract_id: int
    crm_client_id: int
    client_name: str
    email: str | None = None
    service_type: str
    start_date: date
    monthly_amount_cents: int = Field(ge=0)
    schedules: list[Schedule] = Field(default_factory=list)


class Document(Resource):
    """A generated proposal or contract; `pdf_url` is relative to the documentos API."""

    id: int
    kind: str
    number: str
    status: str
    pdf_url: str
    signature_url: str | None = None
    created_at: datetime | None = None
