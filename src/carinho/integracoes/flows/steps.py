"""Steps: named async functions, each with its own outcome row and idempotency key.

    @step("crm.upsert_lead")
    async def upsert_lead(ctx: StepContext) -> dict[str, Any] | None:
        result = await crm.upsert(..., idempotency_key=ctx.idempotency_key)
        return {"crm_id": result.id}          # stored as the step's output

A step runs in its own transaction (`ctx.session`), committed together with its `done` mark, so a
step that finished never runs again, even if the worker dies right after. Make outbound calls
before writing to `ctx.session` (on SQLite a write holds the database lock), and always send
`ctx.idempotency_key` downstream: after a crash between the call and the commit the step runs
again with the same key. Raise `StepError` (or a `ConnectorError`) to fail the step; anything
retryable is retried on the event's schedule, then goes to the DLQ.
"""

from __future__ import annotations

import importlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from carinho.connectors.errors import ConnectorError

STEP_MODULES_PACKAGE = "carinho.integracoes.steps"


@dataclass(frozen=True)
class EventSnapshot:
    """What a step may know about its event (the row itself belongs to another transaction)."""

    id: int
    source: str
    event_type: str
    idempotency_key: str
    created_at: datetime


@dataclass(frozen=True)
class StepContext:
    session: AsyncSession
    event: EventSnapshot
    payload: dict[str, Any]
    step_name: str
    idempotency_key: str
    attempt: int


StepFn = Callable[[StepContext], Awaitable[dict[str, Any] | None]]


class StepError(Exception):
    """A step failed. `retryable=False` sends it straight to the DLQ."""

    def __init__(self, message: str, *, retryable: bool = True, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retryable = retryable
        self.retry_after = retry_after


@dataclass(frozen=True)
class StepFailure:
    error: str
    retryable: bool
    retry_after: float | None = None

    @classmethod
    def from_exception(cls, exc: BaseException) -> StepFailure:
        message = f"{type(exc).__name__}: {exc}"[:4000]
        if isinstance(exc, StepError):
            return cls(message, exc.retryable, exc.retry_after)
        if isinstance(exc, ConnectorError):
            return cls(message, exc.retryable, exc.retry_after)
        return cls(message, retryable=True)  # unexpected: worth another try, then the DLQ


_steps: dict[str, StepFn] = {}


def step(name: str) -> Callable[[StepFn], StepFn]:
    def register(fn: StepFn) -> StepFn:
        if name in _steps and _steps[name] is not fn:
            raise ValueError(f"step {name!r} is registered twice")
        _steps[name] = fn
        return fn

    return register


def get_step(name: str) -> StepFn:
    importlib.import_module(STEP_MODULES_PACKAGE)  # registers every step
    try:
        return _steps[name]
    except KeyError:
        raise LookupError(f"no step named {name!r} is registered") from None


def registered_steps() -> dict[str, StepFn]:
    importlib.import_module(STEP_MODULES_PACKAGE)
    return dict(_steps)
