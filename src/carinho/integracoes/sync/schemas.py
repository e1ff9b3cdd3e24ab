"""API shapes of the syncs."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from carinho.integracoes.sync.definitions import SYNCS


class SyncStart(BaseModel):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"sync": "crm_operacao_contracts"}]}
    )

    # The service names an unknown sync in its 422; the document lists the known ones.
    sync: str = Field(min_length=1, max_length=60, json_schema_extra={"enum": list(SYNCS)})


class SyncJobOut(BaseModel):
    id: int
    sync: str
    trigger: str
    status: str
    started_at: datetime | None
    finished_at: datetime | None
    duration_ms: int | None
    read: int
    created: int
    updated: int
    skipped: int
    failed: int
    errors: list[dict[str, Any]]
    watermark_from: datetime | None
    watermark_to: datetime | None
    created_at: datetime


class SyncJobPage(BaseModel):
    items: list[SyncJobOut]
    next_cursor: int | None = Field(None, description="pass as `before` for the next (older) page")


class SyncSummary(BaseModel):
    sync: str
    description: str
    source: str
    target: str
    schedule: str
    watermark: datetime | None
    last_run: SyncJobOut | None
    runs_last_24h: dict[str, int]


class SyncAlertOut(BaseModel):
    id: int
    sync: str
    sync_job_id: int
    status: str
    message: str
    created_at: datetime


class SyncStats(BaseModel):
    generated_at: datetime
    syncs: list[SyncSummary]
    failing: list[str] = Field(description="syncs whose last run did not succeed")
    recent_alerts: list[SyncAlertOut]
