"""Site records and inputs (docs/contratos/site.md)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

from carinho.connectors.base import Resource


class SiteLead(Resource):
    """A form submission on the site (also pushed to the hub as the `lead.created` webhook)."""

    id: int
    name: str | None = None
    phone: str | None = None
    email: str | None = None
    page_url: str | None = None
    form: dict[str, Any] = Field(default_factory=dict)
    utm_source: str | None = None
    utm_medium: str | None = None
    utm_campaign: str | None = None
    crm_lead_id: int | None = None
    status: str = "recebido"
    created_at: datetime | None = None
    updated_at: datetime | None = None


class SiteLeadUpdate(BaseModel):
    crm_lead_id: int | None = None
    status: Literal["recebido", "registrado_crm", "descartado"] | None = None
