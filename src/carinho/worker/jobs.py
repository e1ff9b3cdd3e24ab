"""Job registry and `enqueue()`: an outbox row in the caller's transaction, published after commit."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from carinho.kit.clock import utcnow
from carinho.logging import get_logger
from carinho.worker.lanes import Lane
from carinho.worker.models import OutboxStatus
from carinho.worker.outbox_repository import OutboxRepository

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
    from carinho import runtime

    spec = get_job(job_name)
    settings = runtime.current().settings
    repo = OutboxRepository(session, runtime.context_spec(spec.context).outbox)
    if dedupe_key is not None:
        existing = await repo.find_by_dedupe_key(dedupe_key)
        if existing is not None:
            return existing
    now = utcnow()
    available_at = now + delay if delay else now
    time_limit = spec.time_limit_seconds or int(settings.job_default_time_limit_seconds)
    chosen_lane = (lane or spec.lane).value
    immediate = delay is None or delay <= timedelta(0)
    row = await repo.add(
        job=job_name,
        lane=chosen_lane,
        args=args or {},
        max_attempts=spec.max_attempts or settings.job_default_max_attempts,
        time_limit_seconds=time_limit,
        dedupe_key=dedupe_key,
        available_at=available_at,
        # Published right after commit: the relay only steps in if that publish is lost.
        visible_at=now + timedelta(seconds=settings.outbox_dispatch_lease_seconds)
        if immediate
        else available_at,
    )
    if immediate:
        session.info.setdefault(_PUBLISH_KEY, []).append((spec.context, row.id, chosen_lane, time_limit))
    return row.id


async def enqueue_many(
    session: AsyncSession, job_name: str, args_list: list[dict[str, Any]], *, lanes: list[Lane]
) -> list[int]:
    """`enqueue()` of many immediate runs of one job in a single INSERT (group commit of webhooks);
    `lanes[i]` is the lane of `args_list[i]`. Returns the outbox ids in order."""
    from carinho import runtime

    if not args_list:
        return []
    spec = get_job(job_name)
    settings = runtime.current().settings
    model: Any = runtime.context_spec(spec.context).outbox
    now = utcnow()
    time_limit = spec.time_limit_seconds or int(settings.job_default_time_limit_seconds)
    visible_at = now + timedelta(seconds=settings.outbox_dispatch_lease_seconds)
    rows = [
        model(
            job=job_name,
            lane=lane.value,
            args=args,
            max_attempts=spec.max_attempts or settings.job_default_max_attempts,
            time_limit_seconds=time_limit,
            dedupe_key=None,
            available_at=now,
            visible_at=visible_at,
            status=OutboxStatus.pending.value,
            attempts=0,
        )
        for args, lane in zip(args_list, lanes, strict=True)
    ]
    session.add_all(rows)
    await session.flush()
    publish = session.info.setdefault(_PUBLISH_KEY, [])
    publish.extend((spec.context, row.id, row.lane, time_limit) for row in rows)
    return [row.id for row in rows]


@event.listens_for(Session, "after_commit")
def _publish_after_commit(session: Session) -> None:
    pending = session.info.pop(_PUBLISH_KEY, None)
    if not pending:
        return
    from carinho import runtime

    if not runtime.is_configured():
        return
    rt = runtime.current()
    for context, outbox_id, lane, time_limit in pending:
        try:
            rt.publish(context, outbox_id, lane, time_limit)
        except Exception as exc:  # the relay re-publishes after the lease
            log.warning("outbox.publish_failed", outbox_id=outbox_id, lane=lane, error=str(exc))


@event.listens_for(Session, "after_soft_rollback")
def _forget_after_rollback(session: Session, previous_transaction: Any) -> None:
    if previous_transaction.parent is None:
        session.info.pop(_PUBLISH_KEY, None)
