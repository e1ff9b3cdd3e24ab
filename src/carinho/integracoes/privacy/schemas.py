"""API shapes of the hub's data-subject requests."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from carinho.integracoes.privacy.models import HubRequestKind
from carinho.kit.text import reject_nul


class HubPrivacyRequestIn(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "kind": "erase",
                    "phone": "5511912345678",
                    "reason": "Pedido do titular em 28/11, protocolo 123",
                    "reference": "atendimento:privacy_request:42",
                }
            ]
        }
    )

    kind: HubRequestKind = Field(description="export (the events found) or erase (anonymise them)")
    phone: str | None = Field(default=None, max_length=40, examples=["(11) 91234-5678"])
    email: str | None = Field(default=None, max_length=190, examples=["maria@example.com"])
    cpf: str | None = Field(default=None, max_length=20, examples=["123.456.789-09"])
    reason: str = Field(min_length=3, max_length=2000, description="why and on whose request")
    reference: str | None = Field(
        default=None,
        max_length=190,
        pattern=r"^[\w.:-]+$",
        description="the caller's id of the request: calling again with it updates the same record",
    )

    @field_validator("phone", "email", "cpf", "reason")
    @classmethod
    def no_nul(cls, value: str | None) -> str | None:
        return None if value is None else reject_nul(value)


class HubPrivacyRequestOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    kind: str
    status: str = Field(description="completed (events found) or no_data")
    subject_type: str
    subject_masked: str
    reason: str
    reference: str | None
    api_key_name: str
    calls: int = Field(description="how many times this request was made (retries of the same reference)")
    result: dict[str, Any] = Field(description="events found / anonymised (their ids)")
    created_at: datetime
    completed_at: datetime | None


class HubExportOut(HubPrivacyRequestOut):
    events: list[dict[str, Any]] = Field(description="each event found, as GET /api/events/{id} shows it")
