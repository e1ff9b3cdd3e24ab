"""Cuidadores records and inputs (docs/contratos/cuidadores.md)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from carinho.connectors.base import Resource


class Caregiver(Resource):
    id: int
    name: str
    phone: str | None = None
    email: str | None = None
    status: str
    skills: list[str] = Field(default_factory=list)
    neighborhoods: list[str] = Field(default_factory=list)
    city: str | None = None
    rating_avg: float | None = None
    services_count: int = 0
    updated_at: datetime | None = None


class CaregiverFeedbackInput(BaseModel):
    service_id: str
    rating: int = Field(ge=0, le=10)
    comment: str | None = Field(default=None, max_length=5000)
    crm_client_id: int | None = None


class CaregiverFeedback(Resource):
    id: int
    caregiver_id: int
    service_id: str
    rating: int
