"""API shapes of integration events (inbound webhooks answer with `IngestResponse`)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from carinho.kit.text import reject_lone_surrogates

EVENT_EXAMPLE: dict[str, Any] = {
    "id": 4711,
    "source": "site",
    "type": "lead.created",
    "status": "processed",
    "lane": "integrations-high",
    "idempotency_key": "lead.created:8812",
    "attempts": 1,
    "next_attempt_at": None,
    "last_error": None,
    "request_id": "5f0c2f9b0e8a4d6b9c1e2a3b4c5d6e7f",
    "created_at": "2026-11-28T12:00:00Z",
    "updated_at": "2026-11-28T12:00:01Z",
    "processed_at": "2026-11-28T12:00:01Z",
}


class IngestResponse(BaseModel):
    """Answer to an inbound webhook or `POST /api/events`: 202 when new, 200 for a duplicate."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"event_id": 4711, "status": "received", "duplicate": False}]}
    )

    event_id: int
    status: str = Field(description="received | ignored (no flow handles the type) | a later status")
    duplicate: bool = Field(description="true when the (source, idempotency key) was already stored")


class EventOut(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [EVENT_EXAMPLE]})

    id: int
    source: str
    type: str
    status: str
    lane: str
    idempotency_key: str
    attempts: int
    next_attempt_at: datetime | None
    last_error: str | None
    request_id: str | None
    created_at: datetime
    updated_at: datetime
    processed_at: datetime | None
    anonymised_at: datetime | None = Field(
        default=None, description="when its personal content was removed (retention or erasure)"
    )


class EventDetail(EventOut):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                EVENT_EXAMPLE
                | {
                    "payload": {"lead_id": "8812", "name": "Maria Souza", "phone": "5511912345678"},
                    "steps": [{"name": "deliver_webhooks", "status": "done", "attempts": 1}],
                    "deliveries": [],
                }
            ]
        }
    )

    payload: dict[str, Any]
    steps: list[dict[str, Any]] = Field(default_factory=list, description="per-step outcomes, in order")
    deliveries: list[dict[str, Any]] = Field(
        default_factory=list, description="outbound deliveries with their attempts"
    )


class EventPage(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"items": [EVENT_EXAMPLE], "next_cursor": "NDcxMQ"}]}
    )

    items: list[EventOut]
    next_cursor: str | None = Field(description="pass as `cursor` for the next page; null at the end")


class EventCreate(BaseModel):
    """An event submitted through the API (systems that cannot send signed webhooks)."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "source": "crm",
                    "type": "client.registered",
                    "payload": {"client_id": "C-1001", "name": "Ana Lima", "phone": "5511912345678"},
                    "idempotency_key": "crm-client-C-1001",
                }
            ]
        }
    )

    source: str = Field(min_length=1, max_length=40, pattern=r"^[a-z][a-z0-9_.-]*$")
    type: str = Field(min_length=1, max_length=80, pattern=r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+)+$")
    payload: Annotated[dict[str, Any], AfterValidator(reject_lone_surrogates)]
    idempotency_key: str | None = Field(
        default=None, min_length=1, max_length=190, description="default: SHA-256 of the payload"
    )


class WindowStats(BaseModel):
    total: int
    by_status: dict[str, int]
    by_type: dict[str, int]
    by_source: dict[str, int]
    error_rate: float = Field(description="(failed + dead) / total, 0 when there is nothing")
    processed: int
    latency_p50_seconds: float | None = Field(description="created -> processed, events processed in window")
    latency_p95_seconds: float | None


class EventStats(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "generated_at": "2026-11-28T12:00:00Z",
                    "by_status": {"processed": 120, "received": 2, "dead": 1},
                    "last_hour": {
                        "total": 12,
                        "by_status": {"processed": 11, "failed": 1},
                        "by_type": {"lead.created": 4, "whatsapp.message.received": 8},
                        "by_source": {"site": 4, "zapi": 8},
                        "error_rate": 0.083,
                        "processed": 11,
                        "latency_p50_seconds": 0.4,
                        "latency_p95_seconds": 1.9,
                    },
                    "last_day": {
                        "total": 123,
                        "by_status": {"processed": 120, "received": 2, "dead": 1},
                        "by_type": {"lead.created": 40, "whatsapp.message.received": 83},
                        "by_source": {"site": 40, "zapi": 83},
                        "error_rate": 0.008,
                        "processed": 120,
                        "latency_p50_seconds": 0.5,
                        "latency_p95_seconds": 2.3,
                    },
                }
            ]
        }
    )

    generated_at: datetime
    by_status: dict[str, int] = Field(description="all events, by status")
    last_hour: WindowStats
    last_day: WindowStats
