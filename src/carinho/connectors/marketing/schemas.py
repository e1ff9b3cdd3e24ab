"""Marketing records and inputs (docs/contratos/marketing.md)."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, Field

from carinho.connectors.base import Resource


class Campaign(Resource):
    id: int
    name: str
    channel: str | None = None
    utm_source: str | None = None
    utm_medium: str | None = None
    utm_campaign: str | None = None
    status: str = "ativa"
    starts_on: date | None = None
    ends_on: date | None = None
    budget_cents: int | None = None
    updated_at: datetime | None = None


class AttributionInput(BaseModel):
    crm_lead_id: int
    utm_source: str | None = None
    utm_medium: str | None = None
    utm_campaign: str | None = None
    utm_content: str | None = None
    utm_term: str | None = None


class Attribution(Resource):
    id: int
    campaign_id: int
    crm_lead_id: int


class ConversionInput(BaseModel):
    crm_lead_id: int
    crm_client_id: int | None = None
    campaign_id: int | None = None
    value_cents: int = Field(default=0, ge=0)


class Conversion(Resource):
    id: int
    crm_lead_id: int
    campaign_id: int | None = None
