"""Job registry and `enqueue()`: an outbox row in the caller's transaction, published after commit."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from carinho.config import Settings
from carinho.kit.clock import utcnow
from carinho.logging import get_logger
from carinho.worker import host as worker_host
from carinho.worker.lanes import Lane, lane_context
from carinho.worker.outbox_repository import OutboxRepository, insert_pending

log = get_logger(__name__)

JobFn = Callable[..., Awaitable[Any]]
_PUBLISH_KEY = "carinho_outbox_publish"


@dataclass(frozen=True)
class JobSpec:
    name: str
    fn: JobFn
    context: str
    lane: Lane
    time_limit_seconds: int | None = None
    max_attempts: int | None = None


_registry: dict[str, JobSpec] = {}


def job(
    name: str,
    *,
    context: str,
    lane: Lane,
    time_limit_seconds: int | None = None,
    max_attempts: int | None = None,
) -> Callable[[JobFn], JobFn]:
    """Register `async def fn(session, **args)` as a job. It must be idempotent: it may run again
    after a crash. Its writes and the outbox row's `done` commit together."""

    def register(fn: JobFn) -> JobFn:
        if name in _registry and _registry[name].fn is not fn:
            raise ValueError(f"job {name!r} is registered twice")
        _registry[name] = JobSpec(name, fn, context, lane, time_limit_seconds, max_attempts)
        return fn

    return register


def get_job(name: str) -> JobSpec:
    try:
        return _registry[name]
    except KeyError:
        raise LookupError(f"no job named {name!r} is registered") from None


def registered_jobs() -> dict[str, JobSpec]:
    return dict(_registry)


def context_lanes(context: str) -> list[Lane]:
    """The lanes a context's outbox rows can name: the context's own lanes and every lane one of its
    registered jobs uses (atendimento's WhatsApp sends go on `notifications`)."""
    used = {spec.lane for spec in _registry.values() if spec.context == context}
    return [lane for lane in Lane if lane_context(lane) == context or lane in used]


def _row_values(
    spec: JobSpec,
    settings: Settings,
    args: dict[str, Any],
    lane: Lane,
    now: datetime,
    delay: timedelta | None = None,
    dedupe_key: str | None = None,
) -> dict[str, Any]:
    """The columns of a new outbox row. An immediate row is published right after commit, so its
    lease starts now (the relay steps in only if that publish is lost); a delayed one is due later."""
    available_at = now + delay if delay and delay > timedelta(0) else now
    immediate = available_at == now
    return {
        "job": spec.name,
        "lane": lane.value,
        "args": args,
        "max_attempts": spec.max_attempts or settings.job_default_max_attempts,
        "time_limit_seconds": spec.time_limit_seconds or int(settings.job_default_time_limit_seconds),
        "dedupe_key": dedupe_key,
        "available_at": available_at,
        "visible_at": now + timedelta(seconds=settings.outbox_dispatch_lease_seconds)
        if immediate
        else available_at,
    }


Publish = tuple[str, int, str, int]  # context, outbox id, lane, time limit


def publish_after_commit(session: AsyncSession | Session, pending: list[Publish]) -> None:
    """Publish these outbox rows when the session commits (forgotten if it rolls back)."""
    session.info.setdefault(_PUBLISH_KEY, []).extend(pending)


async def enqueue(
    session: AsyncSession,
    job_name: str,
    args: dict[str, Any] | None = None,
    *,
    lane: Lane | None = None,
    delay: timedelta | None = None,
    dedupe_key: str | None = None,
) -> int:
    """Schedule a job in the session's transaction; returns the outbox id.

    A rolled-back transaction never runs it. A `dedupe_key` already present returns that row's id.
    """
    spec = get_job(job_name)
    host = worker_host.current()
    repo = OutboxRepository(session, host.outbox_model(spec.context))
    if dedupe_key is not None:
        existing = await repo.find_by_dedupe_key(dedupe_key)
        if existing is not None:
            return existing
    now = utcnow()
    values = _row_values(spec, host.settings, args or {}, lane or spec.lane, now, delay, dedupe_key)
    row = await repo.add(**values)
    if values["available_at"] == now:
        publish_after_commit(session, [(spec.context, row.id, row.lane, row.time_limit_seconds)])
    return row.id


def enqueue_many(
    connection: Connection, job_name: str, args_list: list[dict[str, Any]], *, lanes: list[Lane]
) -> list[Publish]:
    """`enqueue()` of many immediate runs of one job in one batched INSERT, on a synchronous
    connection (the group commit of webhooks runs it in a worker thread, or through `run_sync`);
    `lanes[i]` is the lane of `args_list[i]`. Returns what to publish once the transaction commits:
    the caller passes it to `publish_all` after its commit, or to `publish_after_commit`."""
    if not args_list:
        return []
    spec = get_job(job_name)
    host = worker_host.current()
    template = _row_values(spec, host.settings, {}, spec.lane, utcnow())
    rows = [
        {**template, "args": args, "lane": lane.value} for args, lane in zip(args_list, lanes, strict=True)
    ]
    added = insert_pending(connection, host.outbox_model(spec.context), rows)
    return [(spec.context, *row) for row in added]


# Most outbox rows in one broker message: a message costs ~30 µs to publish (a Redis round trip in
# production), a batch of webhooks brings dozens of rows, and the rows of one message run in turn.
MAX_ROWS_PER_MESSAGE = 8


def publish_all(pending: list[Publish]) -> None:
    """Publish committed outbox rows to their lanes' brokers: each lane's rows in as many messages as
    the lane has workers (so they all take part), of at most `MAX_ROWS_PER_MESSAGE` rows."""
    if not pending or not worker_host.is_installed():
        return
    rt = worker_host.current()
    by_lane: dict[tuple[str, str], list[tuple[int, int]]] = {}
    for context, outbox_id, lane, time_limit in pending:
        by_lane.setdefault((context, lane), []).append((outbox_id, time_limit))
    for (context, lane), rows in by_lane.items():
        size = min(MAX_ROWS_PER_MESSAGE, -(-len(rows) // rt.lane_workers(lane)))
        for start in range(0, len(rows), size):
            chunk = rows[start : start + size]
            ids = [outbox_id for outbox_id, _ in chunk]
            try:
                rt.publish(context, ids, lane, sum(limit for _, limit in chunk))
            except Exception as exc:  # the relay re-publishes after the lease
                log.warning("outbox.publish_failed", outbox_ids=ids, lane=lane, error=str(exc))


@event.listens_for(Session, "after_commit")
def _publish_after_commit(session: Session) -> None:
    # SQLAlchemy fires this on a SAVEPOINT's release too; its rows are visible to a worker only once
    # the outer transaction commits (a worker that got them earlier found nothing to claim, and
    # they waited for the relay's lease).
    if session.in_nested_transaction():
        return
    publish_all(session.info.pop(_PUBLISH_KEY, None) or [])


@event.listens_for(Session, "after_soft_rollback")
def _forget_after_rollback(session: Session, previous_transaction: Any) -> None:
    if previous_transaction.parent is None:
        session.info.pop(_PUBLISH_KEY, None)
