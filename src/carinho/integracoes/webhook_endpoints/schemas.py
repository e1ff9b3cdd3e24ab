"""API shapes of outbound webhook endpoints."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, Any
from urllib.parse import urlsplit

import httpx
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints, WithJsonSchema

from carinho.kit.retry import MAX_SCHEDULE_SECONDS
from carinho.kit.text import NUL_FREE_PATTERN, reject_nul

MAX_GRACE_SECONDS = 7 * 24 * 3600
ASCII_HOST = re.compile(r"[A-Za-z0-9.-]+")
WHSEC_PATTERN = r"^whsec_[A-Za-z0-9+/=]{32,100}$"


def _check_url(value: str) -> str:
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError("must be an absolute http(s) URL")
    if parts.username or parts.password:
        raise ValueError("must not carry credentials")
    if not ASCII_HOST.fullmatch(parts.hostname):
        raise ValueError("the host must be written in ASCII (an international domain in its xn-- form)")
    try:  # what the deliveries' HTTP client refuses (control characters)
        httpx.URL(value)
    except (httpx.InvalidURL, ValueError) as exc:
        raise ValueError(f"is not a URL the hub can deliver to: {exc}") from None
    return value


Url = Annotated[
    str,
    StringConstraints(min_length=8, max_length=2000),
    AfterValidator(reject_nul),
    AfterValidator(_check_url),
    # The gist of `_check_url` for the document; the validator stays the judge (and its messages).
    WithJsonSchema(
        {
            "type": "string",
            "minLength": 8,
            "maxLength": 2000,
            # A host in ASCII (an IDN as xn--: not every Unicode host has an IDNA form the HTTP
            # client takes), no control characters anywhere.
            "pattern": r"^https?://[A-Za-z0-9.-]+(?::[0-9]+)?(?:[/?#][^\s\x00-\x1f\x7f]*)?$",
        }
    ),
]
Description = Annotated[
    str,
    StringConstraints(max_length=500),
    AfterValidator(reject_nul),
    WithJsonSchema({"type": "string", "maxLength": 500, "pattern": NUL_FREE_PATTERN}),
]
TargetSystem = Annotated[
    str,
    StringConstraints(min_length=2, max_length=40, pattern=r"^[a-z][a-z0-9_-]*$"),
]
EventType = Annotated[str, StringConstraints(min_length=1, max_length=80, pattern=r"^[A-Za-z0-9_.-]+$")]
RetryWait = Annotated[int, Field(ge=0, le=MAX_SCHEDULE_SECONDS)]


def _unique(values: list[str]) -> list[str]:
    return list(dict.fromkeys(values))


EventTypes = Annotated[list[EventType], Field(max_length=100), AfterValidator(_unique)]
RetrySchedule = Annotated[list[RetryWait], Field(min_length=0, max_length=20)]

ENDPOINT_EXAMPLE: dict[str, Any] = {
    "id": 3,
    "url": "https://crm.carinho.com.vc/webhooks/integracoes",
    "target_system": "crm",
    "description": "Leads e clientes para o CRM",
    "event_types": ["lead.created", "client.registered"],
    "retry_schedule": None,
    "enabled": True,
    "disabled_at": None,
    "disabled_reason": None,
    "failing_since": None,
    "previous_secret_expires_at": None,
    "created_at": "2026-11-28T12:00:00Z",
    "updated_at": "2026-11-28T12:00:00Z",
}
SECRET_EXAMPLE = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"  # noqa: S105 - documentation example


class EndpointCreate(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "url": "https://crm.carinho.com.vc/webhooks/integracoes",
                    "target_system": "crm",
                    "event_types": ["lead.created", "client.registered"],
                    "description": "Leads e clientes para o CRM",
                }
            ]
        },
    )

    url: Url
    target_system: TargetSystem
    event_types: EventTypes = Field(default_factory=list, description="empty: every event type")
    description: Description = ""
    retry_schedule: RetrySchedule | None = Field(
        default=None,
        description=(
            "seconds to wait before each retry; null: the default (5, 300, 1800, 7200, 18000, "
            "36000, 36000, with +/-20 % jitter); []: no retries"
        ),
    )
    secret: str | None = Field(
        default=None, pattern=WHSEC_PATTERN, description="bring your own `whsec_` secret (default: generated)"
    )


class EndpointUpdate(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"event_types": ["lead.created"], "enabled": True}]},
    )

    url: Url | None = None
    target_system: TargetSystem | None = None
    event_types: EventTypes | None = None
    description: Description | None = None
    retry_schedule: RetrySchedule | None = Field(
        default=None, description="null restores the default schedule; []: no retries"
    )
    enabled: bool | None = Field(default=None, description="false disables, true re-enables")


class EndpointOut(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [ENDPOINT_EXAMPLE]})

    id: int
    url: str
    target_system: str
    description: str
    event_types: list[str]
    retry_schedule: list[int] | None
    enabled: bool
    disabled_at: datetime | None
    disabled_reason: str | None
    failing_since: datetime | None
    previous_secret_expires_at: datetime | None = Field(
        description="during a rotation, the old secret also signs until then"
    )
    created_at: datetime
    updated_at: datetime


class EndpointWithSecret(EndpointOut):
    """The endpoint and its signing secret: shown only when created or rotated."""

    model_config = ConfigDict(json_schema_extra={"examples": [ENDPOINT_EXAMPLE | {"secret": SECRET_EXAMPLE}]})

    secret: str = Field(description="`whsec_` secret for Standard Webhooks and the spatie `Signature`")


class EndpointPage(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"items": [ENDPOINT_EXAMPLE], "next_cursor": None}]}
    )

    items: list[EndpointOut]
    next_cursor: str | None


class RotateSecret(BaseModel):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"grace_period_seconds": 86400}]}
    )

    grace_period_seconds: int = Field(
        default=86_400, ge=0, le=MAX_GRACE_SECONDS, description="the old secret keeps signing this long"
    )
    secret: str | None = Field(default=None, pattern=WHSEC_PATTERN, description="default: generated")
