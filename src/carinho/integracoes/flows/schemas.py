"""API shapes of event processing (retry)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class EventRetryResult(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"event_id": 4711, "status": "received", "attempts": 6, "steps_to_run": ["deliver_webhooks"]}
            ]
        }
    )

    event_id: int
    status: str
    attempts: int = Field(description="processing runs so far; the retry will be the next one")
    steps_to_run: list[str] = Field(description="the steps the retry runs (done steps are skipped)")


class EventReplay(BaseModel):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"from_step": "crm.register_lead"}]}
    )

    from_step: str = Field(min_length=1, max_length=80, description="the first step to run again")
