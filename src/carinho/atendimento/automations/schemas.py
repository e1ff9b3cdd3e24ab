from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field


class RuleOut(BaseModel):
    kind: str
    label: str
    enabled: bool
    template_id: int | None
    delay_minutes: int | None
    updated_by_id: int | None
    updated_at: datetime


class RuleUpdate(BaseModel):
    enabled: bool | None = None
    template_id: int | None = None
    delay_minutes: int | None = Field(default=None, ge=1, le=60 * 24 * 30)
