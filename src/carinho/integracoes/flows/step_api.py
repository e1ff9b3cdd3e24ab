"""The step API: how a step is written. A step is a named async function, registered with `@step`,
with its own outcome row (`EventStep`) and idempotency key; the steps themselves live in
`carinho.integracoes.flows.steps`, and the flow table names them in their event types' flows.

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

A step that calls nothing outside the hub — it only reads and writes the hub's database through
`ctx.session` — is declared `@step(name, local=True)`: it may then run in the transaction of the step
before it (in a savepoint of its own, so its failure never undoes that step's outcome), which saves
the run a commit per such step (`flows.runner`). A local step that often has nothing to do may say
so from its context alone (`@step(name, local=True, nothing_to_do=...)`): the runner then records
its output without running it, and without a savepoint.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from carinho.connectors.errors import ConnectorError
from carinho.integracoes.flows.registry import load_table


@dataclass(frozen=True)
class EventSnapshot:
    """What a step may know about its event (the row itself belongs to another transaction)."""

    id: int
    source: str
    event_type: str
    idempotency_key: str
    created_at: datetime
    uid: str  # the stored UUID: outbound keys are built from it (`global_event_id`)


@dataclass(frozen=True)
class RunConfig:
    """What a run read of the hub's configuration with its event row, at its start, without a
    statement of its own (`FlowRepository.event_for_run`). The defaults mean "not read": each use
    reads what it needs."""

    # The mappings' generation counter (`mappings.cache.GenerationKey`): every render of the run
    # passes it, and the cache serves it from memory when it holds that generation.
    mappings: tuple[str, str, int] | None = None
    # Whether any outbound endpoint was enabled: when none was, no event can have a delivery.
    endpoints_enabled: bool = True


@dataclass(frozen=True)
class RunMemory:
    """What the run holds of its event, so that its steps need not read it again: the outputs of the
    event's done steps (those done before the run, read with its steps, and each one it marks done,
    as stored) and the exact bytes the event arrived with (read with its row)."""

    outputs: dict[str, Any]
    raw_body: bytes | None


@dataclass(frozen=True)
class StepContext:
    session: AsyncSession
    event: EventSnapshot
    payload: dict[str, Any]
    step_name: str
    idempotency_key: str
    attempt: int
    config: RunConfig = RunConfig()
    memory: RunMemory | None = None  # None: a step reads what it needs


StepFn = Callable[[StepContext], Awaitable[dict[str, Any] | None]]
# The step's output when it has nothing to do for this context, else None (it runs).
NothingToDo = Callable[[StepContext], dict[str, Any] | None]


class StepError(Exception):
    """A step failed. `retryable=False` sends it straight to the DLQ. `status_code`: the HTTP status
    of the failed call, when there was one (else the one of a `ConnectorError` it was raised from)."""

    def __init__(
        self,
        message: str,
        *,
        retryable: bool = True,
        retry_after: float | None = None,
        status_code: int | None = None,
    ) -> None:
        super().__init__(message)
        self.retryable = retryable
        self.retry_after = retry_after
        self.status_code = status_code


@dataclass(frozen=True)
class StepFailure:
    error: str
    retryable: bool
    retry_after: float | None = None
    # HTTP status of the call that failed the step (the DLQ item's `last_status_code`).
    status_code: int | None = None

    @classmethod
    def from_exception(cls, exc: BaseException) -> StepFailure:
        message = f"{type(exc).__name__}: {exc}"[:4000]
        status = _status_code(exc)
        if isinstance(exc, StepError | ConnectorError):
            return cls(message, exc.retryable, exc.retry_after, status)
        return cls(message, retryable=True, status_code=status)  # unexpected: another try, then the DLQ


def _status_code(exc: BaseException) -> int | None:
    """The HTTP status of the failed call: the exception's own, else that of the exception it was
    raised from (`raise StepError(...) from connector_error`), following the chain."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, StepError) and current.status_code is not None:
            return current.status_code
        if isinstance(current, ConnectorError) and current.upstream_status is not None:
            return current.upstream_status
        current = current.__cause__ or current.__context__
    return None


_steps: dict[str, StepFn] = {}
_local_steps: set[str] = set()
_nothing_to_do: dict[str, NothingToDo] = {}


def step(
    name: str, *, local: bool = False, nothing_to_do: NothingToDo | None = None
) -> Callable[[StepFn], StepFn]:
    """`nothing_to_do` (local steps only): the step's output when its context alone shows it has
    nothing to do — no read, no write —, else None; the runner records that output as the step's
    without running it (and without the savepoint a local step runs in)."""
    if nothing_to_do is not None and not local:
        raise ValueError(f"step {name!r}: only a local step may be recorded without running")

    def register(fn: StepFn) -> StepFn:
        if name in _steps and _steps[name] is not fn:
            raise ValueError(f"step {name!r} is registered twice")
        _steps[name] = fn
        if local:
            _local_steps.add(name)
        else:
            _local_steps.discard(name)
        if nothing_to_do is not None:
            _nothing_to_do[name] = nothing_to_do
        else:
            _nothing_to_do.pop(name, None)
        return fn

    return register


def nothing_to_do(name: str, ctx: StepContext) -> dict[str, Any] | None:
    """The step's output when it has nothing to do in this context (see `step`), else None."""
    load_table()
    check = _nothing_to_do.get(name)
    return check(ctx) if check is not None else None


def is_local(name: str) -> bool:
    """Whether the step only works in the hub's database (no outbound call): see `step`."""
    load_table()
    return name in _local_steps


def get_step(name: str) -> StepFn:
    load_table()  # registers every step a flow names
    try:
        return _steps[name]
    except KeyError:
        raise LookupError(f"no step named {name!r} is registered") from None


def registered_steps() -> dict[str, StepFn]:
    load_table()
    return dict(_steps)
