"""API shapes of the dead-letter queue."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

from carinho.integracoes.dlq.models import DeadLetterKind
from carinho.kit.ids import BODY_ID_MAX

SOURCE_PATTERN = r"^[a-z][a-z0-9_.-]*$"
EVENT_TYPE_PATTERN = r"^[A-Za-z0-9_.-]+$"
TARGET_PATTERN = r"^[a-z][a-z0-9_-]*$"

DEAD_LETTER_EXAMPLE: dict[str, Any] = {
    "id": 17,
    "kind": "delivery",
    "status": "open",
    "event_id": 4711,
    "source": "site",
    "event_type": "lead.created",
    "step_name": None,
    "delivery_id": 52,
    "endpoint_id": 3,
    "target_system": "crm",
    "attempts": 8,
    "last_status_code": 503,
    "last_error": "HTTP 503",
    "context": {
        "url": "https://crm.carinho.com.vc/webhooks/integracoes",
        "idempotency_key": "evt_3f2b9c7e0d4a4e5f9a1b2c3d4e5f6a7b.deliver_webhooks.ep_3",
        "attempts": [{"number": 8, "trigger": "scheduled", "status_code": 503, "duration_ms": 41}],
    },
    "replays": 0,
    "last_replayed_at": None,
    "resolved_at": None,
    "archived_at": None,
    "created_at": "2026-11-29T22:10:00Z",
    "updated_at": "2026-11-29T22:10:00Z",
}


class DeadLetterOut(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [DEAD_LETTER_EXAMPLE]})

    id: int
    kind: str = Field(description="step (an event's step) or delivery (an outbound webhook)")
    status: str = Field(description="open | retrying | resolved | archived")
    event_id: int
    source: str
    event_type: str
    step_name: str | None
    delivery_id: int | None
    endpoint_id: int | None
    target_system: str | None
    attempts: int
    last_status_code: int | None
    last_error: str | None
    context: dict[str, Any]
    replays: int
    last_replayed_at: datetime | None
    resolved_at: datetime | None
    archived_at: datetime | None
    created_at: datetime
    updated_at: datetime


class DeadLetterPage(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"items": [DEAD_LETTER_EXAMPLE], "next_cursor": None}]}
    )

    items: list[DeadLetterOut]
    next_cursor: str | None = Field(description="pass as `cursor` for the next page; null at the end")


class DeadLetterStats(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "total": 12,
                    "open": 5,
                    "by_status": {"open": 5, "resolved": 6, "archived": 1},
                    "open_by_kind": {"delivery": 4, "step": 1},
                    "open_by_target_system": {"crm": 4},
                    "open_by_event_type": {"lead.created": 3, "payment.received": 2},
                    "oldest_open_at": "2026-11-29T22:10:00Z",
                    "oldest_open_age_seconds": 5400.0,
                }
            ]
        }
    )

    total: int
    open: int
    by_status: dict[str, int]
    open_by_kind: dict[str, int]
    open_by_target_system: dict[str, int]
    open_by_event_type: dict[str, int]
    oldest_open_at: datetime | None
    oldest_open_age_seconds: float | None


class BulkRetry(BaseModel):
    """Replay every open item matching the filter (oldest first, up to `limit`)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "kind": "delivery",
                    "target_system": "crm",
                    "created_from": "2026-11-29T00:00:00Z",
                    "limit": 200,
                }
            ]
        },
    )

    kind: DeadLetterKind | None = None
    source: str | None = Field(default=None, max_length=40, pattern=SOURCE_PATTERN)
    event_type: str | None = Field(default=None, max_length=80, pattern=EVENT_TYPE_PATTERN)
    target_system: str | None = Field(default=None, max_length=40, pattern=TARGET_PATTERN)
    endpoint_id: int | None = Field(default=None, ge=1, le=BODY_ID_MAX)
    event_id: int | None = Field(default=None, ge=1, le=BODY_ID_MAX)
    created_from: datetime | None = None
    created_to: datetime | None = None
    ids: list[Annotated[int, Field(ge=1, le=BODY_ID_MAX)]] | None = Field(default=None, max_length=1000)
    limit: int = Field(default=100, ge=1, le=1000)


class SkippedItem(BaseModel):
    id: int
    reason: str


class BulkRetryResult(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "matched": 3,
                    "retried": [17, 18],
                    "skipped": [{"id": 19, "reason": "the endpoint of delivery 60 is disabled or deleted"}],
                }
            ]
        }
    )

    matched: int
    retried: list[int]
    skipped: list[SkippedItem]
