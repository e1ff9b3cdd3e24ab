"""CRM records and inputs (docs/contratos/crm.md)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from carinho.connectors.base import Resource

LeadSource = Literal["whatsapp", "site", "manual", "indicacao", "marketing"]
LeadStatus = Literal["novo", "em_atendimento", "qualificado", "proposta", "convertido", "perdido"]


class Lead(Resource):
    id: int
    phone: str
    name: str | None = None
    email: str | None = None
    source: str = "whatsapp"
    status: str = "novo"
    utm_source: str | None = None
    utm_medium: str | None = None
    utm_campaign: str | None = None
    neighborhood: str | None = None
    city: str | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None

    @property
    def lead_id(self) -> str:
        return str(self.id)


class LeadInput(BaseModel):
    """Create (phone required) or update (every field optional) a lead. Fields the contract does not
    name (funnel stage, triage answers, form fields, ...) are kept by the CRM as attributes."""

    model_config = ConfigDict(extra="allow")

    phone: str | None = None
    name: str | None = None
    email: str | None = None
    source: LeadSource | None = None
    status: LeadStatus | None = None
    utm_source: str | None = None
    utm_medium: str | None = None
    utm_campaign: str | None = None
    utm_content: str | None = None
    utm_term: str | None = None
    page_url: str | None = None
    neighborhood: str | None = None
    city: str | None = None
    notes: str | None = None


class Interaction(Resource):
    id: int
    lead_id: int
    channel: str
    direction: str
    summary: str | None = None
    external_id: str | None = None
    occurred_at: datetime | None = None


class InteractionInput(BaseModel):
    channel: Literal["whatsapp", "email", "telefone", "site"] = "whatsapp"
    direction: Literal["inbound", "outbound"]
    summary: str = Field(max_length=5000)
    message_type: str = "text"
    media_url: str | None = None
    external_id: str | None = Field(default=None, description="Z-API messageId, e-mail Message-ID, ...")
    occurred_at: datetime | None = None


class Address(BaseModel):
    street: str | None = None
    number: str | None = None
    complement: str | None = None
    neighborhood: str | None = None
    city: str | None = None
    state: str | None = None
    zip: str | None = None


class Client(Resource):
    id: int
    name: str
    phone: str | None = None
    email: str | None = None
    lead_id: int | None = None
    cpf: str | None = None
    address: Address | None = None
    status: str = "ativo"
    created_at: datetime | None = None
    updated_at: datetime | None = None


class Schedule(BaseModel):
    weekday: int = Field(ge=1, le=7, description="1 = segunda … 7 = domingo")
    start_time: str = Field(pattern=r"^\d{2}:\d{2}$")
    end_time: str = Field(pattern=r"^\d{2}:\d{2}$")


class Contract(Resource):
    id: int
    client_id: int
    status: str
    service_type: str
    start_date: date
    end_date: date | None = None
    monthly_amount_cents: int = 0
    billing_day: int = 5
    payment_method: str = "boleto"
    caregiver_id: int | None = None
    schedules: list[Schedule] = Field(default_factory=list)
    updated_at: datetime | None = None


class FeedbackInput(BaseModel):
    service_id: str
    rating: int = Field(ge=0, le=10)
    comment: str | None = Field(default=None, max_length=5000)
    client_id: int | None = None
    lead_id: int | None = None
    caregiver_id: int | None = None
    # How the client answered; None (omitted) when nobody knows, e.g. feedback cuidadores collected
    # without saying how.
    channel: Literal["whatsapp", "email", "link"] | None = None


class Feedback(Resource):
    id: int
    service_id: str
    rating: int
    comment: str | None = None


class CaregiverInput(BaseModel):
    """A caregiver as cuidadores knows it, mirrored into the CRM (sync every 4 h)."""

    name: str
    phone: str | None = None
    email: str | None = None
    status: str
    skills: list[str] = Field(default_factory=list)
    neighborhoods: list[str] = Field(default_factory=list)
    city: str | None = None
    rating_avg: float | None = None


class CrmCaregiver(Resource):
    id: str
    name: str
    status: str
