"""Fault injection per simulated system: fail the next N calls, add latency, hang, go down/up."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, Field


class FaultSettings(BaseModel):
    """What `PUT /_sandbox/<system>/faults` accepts; omitted fields keep their value."""

    fail_next: int | None = Field(default=None, ge=0, description="fail this many next calls")
    fail_status: int | None = Field(default=None, ge=400, le=599)
    fail_body: dict[str, Any] | None = None
    retry_after: int | None = Field(default=None, ge=0, description="Retry-After on failures")
    latency_ms: int | None = Field(default=None, ge=0, le=120_000)
    timeout_next: int | None = Field(default=None, ge=0, description="hang this many next calls")
    hang_seconds: float | None = Field(default=None, gt=0, le=600)
    down: bool | None = None


@dataclass
class FaultState:
    fail_next: int = 0
    fail_status: int = 500
    fail_body: dict[str, Any] | None = None
    retry_after: int | None = None
    latency_ms: int = 0
    timeout_next: int = 0
    hang_seconds: float = 60.0
    down: bool = False
    released: asyncio.Event = field(default_factory=asyncio.Event)

    def update(self, change: FaultSettings) -> None:
        for name, value in change.model_dump(exclude_none=True).items():
            setattr(self, name, value)
        if not self.timeout_next:
            self.released.set()
        else:
            self.released = asyncio.Event()

    def clear(self) -> None:
        self.released.set()
        fresh = FaultState()
        for name in ("fail_next", "fail_status", "fail_body", "retry_after", "latency_ms"):
            setattr(self, name, getattr(fresh, name))
        self.timeout_next, self.hang_seconds, self.down = 0, fresh.hang_seconds, False

    def view(self) -> dict[str, Any]:
        return {
            "fail_next": self.fail_next,
            "fail_status": self.fail_status,
            "fail_body": self.fail_body,
            "retry_after": self.retry_after,
            "latency_ms": self.latency_ms,
            "timeout_next": self.timeout_next,
            "hang_seconds": self.hang_seconds,
            "down": self.down,
        }

    @property
    def active(self) -> bool:
        return bool(self.fail_next or self.latency_ms or self.timeout_next or self.down)


@dataclass(frozen=True)
class FaultDecision:
    """What the gateway does with one request, decided before it reaches the simulator."""

    latency_seconds: float = 0.0
    hang_seconds: float | None = None
    down: bool = False
    fail_status: int | None = None
    fail_body: dict[str, Any] | None = None
    retry_after: int | None = None


def decide(state: FaultState) -> FaultDecision:
    latency = state.latency_ms / 1000
    if state.down:
        return FaultDecision(latency_seconds=latency, down=True)
    if state.timeout_next:
        state.timeout_next -= 1
        return FaultDecision(latency_seconds=latency, hang_seconds=state.hang_seconds)
    if state.fail_next:
        state.fail_next -= 1
        return FaultDecision(
            latency_seconds=latency,
            fail_status=state.fail_status,
            fail_body=state.fail_body,
            retry_after=state.retry_after,
        )
    return FaultDecision(latency_seconds=latency)
