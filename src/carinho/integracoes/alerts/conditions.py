"""What is wrong right now, per rule: each check returns the breaches it sees, keyed by subject.

Every query is a grouped count or a min over an index (outbox by lane and status, events by
created_at, DLQ by status and created_at, sync runs by name, heartbeats by name): cheap enough to
run every 30 s.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from carinho import runtime
from carinho.backups.runs import BackupRun, record_name
from carinho.integracoes.alerts.repository import AlertRepository
from carinho.integracoes.alerts.rules import FAILURE_RATE_MIN_EVENTS
from carinho.integracoes.database import OutboxMessage
from carinho.integracoes.dlq.repository import DeadLetterRepository
from carinho.integracoes.events.models import EventStatus
from carinho.integracoes.events.service import event_service
from carinho.integracoes.sync.definitions import SYNCS
from carinho.integracoes.sync.models import SyncStatus
from carinho.integracoes.sync.repository import SyncRepository
from carinho.integracoes.webhook_endpoints.repository import WebhookEndpointRepository
from carinho.runtime import CONTEXTS
from carinho.worker.outbox_repository import OutboxRepository
from carinho.worker.scheduler import HEARTBEAT_NAME


@dataclass(frozen=True)
class Breach:
    subject: str
    title: str
    details: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Limits:
    threshold: float
    window_minutes: int


Check = Callable[[AsyncSession, Limits, datetime], Awaitable[list[Breach]]]


async def lane_backlog(session: AsyncSession, limits: Limits, now: datetime) -> list[Breach]:
    repo = OutboxRepository(session, OutboxMessage)
    counts = await repo.counts_by_lane()
    oldest = await repo.oldest_due_pending_by_lane(now)
    breaches = []
    for lane, by_status in sorted(counts.items()):
        waiting = by_status.get("pending", 0) + by_status.get("running", 0)
        if waiting > limits.threshold:
            age = (now - oldest[lane]).total_seconds() if lane in oldest else 0.0
            breaches.append(
                Breach(
                    lane,
                    f"Fila {lane} com {waiting} itens aguardando (limite {limits.threshold:g})",
                    {"lane": lane, "backlog": waiting, "oldest_age_seconds": round(age, 1)},
                )
            )
    return breaches


async def failure_rate(session: AsyncSession, limits: Limits, now: datetime) -> list[Breach]:
    since = now - timedelta(minutes=max(limits.window_minutes, 1))
    by_status = await event_service.repository(session).count_by("status", since, now)
    total = sum(by_status.values())
    failed = by_status.get(EventStatus.failed.value, 0) + by_status.get(EventStatus.dead.value, 0)
    if total < FAILURE_RATE_MIN_EVENTS or failed * 100 <= limits.threshold * total:
        return []
    rate = round(failed * 100 / total, 1)
    return [
        Breach(
            "",
            f"{rate:g}% dos eventos falharam nos últimos {limits.window_minutes} min "
            f"({failed} de {total}; limite {limits.threshold:g}%)",
            {"failed": failed, "total": total, "rate_percent": rate},
        )
    ]


async def dlq_growth(session: AsyncSession, limits: Limits, now: datetime) -> list[Breach]:
    since = now - timedelta(minutes=max(limits.window_minutes, 1))
    new = sum((await DeadLetterRepository(session).new_by_target_since(since)).values())
    if new < max(limits.threshold, 1):
        return []
    return [
        Breach(
            "",
            f"{new} itens novos na DLQ nos últimos {limits.window_minutes} min (limite {limits.threshold:g})",
            {"new_items": new},
        )
    ]


async def target_down(session: AsyncSession, limits: Limits, now: datetime) -> list[Breach]:
    window = timedelta(minutes=max(limits.window_minutes, 1))
    by_target = await DeadLetterRepository(session).new_by_target_since(now - window)
    breaches: dict[str, Breach] = {}
    for target, count in by_target.items():
        if target and count >= max(limits.threshold, 1):
            breaches[target] = Breach(
                target,
                f"{target}: {count} falhas definitivas nos últimos {limits.window_minutes} min",
                {"target_system": target, "new_dead_letters": count},
            )
    for target, since in await WebhookEndpointRepository(session).failing_since_by_target():
        if since is not None and now - since >= window and target not in breaches:
            breaches[target] = Breach(
                target,
                f"{target}: entregas falhando há mais de {limits.window_minutes} min",
                {"target_system": target, "failing_since": since.isoformat()},
            )
    return [breaches[k] for k in sorted(breaches)]


async def sync_failing(session: AsyncSession, limits: Limits, now: datetime) -> list[Breach]:
    needed = max(int(limits.threshold), 1)
    breaches = []
    for name in SYNCS:
        statuses = await SyncRepository(session).last_finished_statuses(name, needed)
        if len(statuses) == needed and all(s != SyncStatus.succeeded.value for s in statuses):
            breaches.append(
                Breach(name, f"Sincronização {name} falhou {needed} vezes seguidas", {"sync": name})
            )
    return breaches


async def no_leader(session: AsyncSession, limits: Limits, now: datetime) -> list[Breach]:
    beat_at = await AlertRepository(session).heartbeat_at(HEARTBEAT_NAME)
    if beat_at is None:  # never started: nothing to compare with
        return []
    age = now - beat_at
    if age < timedelta(minutes=max(limits.window_minutes, 1)):
        return []
    minutes = int(age.total_seconds() // 60)
    return [
        Breach(
            "",
            f"Nenhum agendador ativo: última batida há {minutes} min",
            {"last_beat_at": beat_at.isoformat()},
        )
    ]


async def backup_failed(session: AsyncSession, limits: Limits, now: datetime) -> list[Breach]:
    """A context whose daily backup failed its last N attempts (all of one run, by default), or
    whose last successful one is older than the window (the backup stopped running). Read from the
    records the backup job keeps in this database (backups/runs.py); nothing before the first run."""
    if not runtime.current().settings.backup_daily:
        return []
    contexts = {record_name(context): context for context in CONTEXTS}
    rows = await AlertRepository(session).heartbeats(list(contexts))
    needed = max(int(limits.threshold), 1)
    window = timedelta(minutes=max(limits.window_minutes, 1))
    breaches = []
    for name, beat_at, details in rows:
        run = BackupRun.from_row(contexts[name], beat_at, details or {})
        facts = {
            "context": run.context,
            "failures_in_a_row": run.failures_in_a_row,
            "last_attempt_at": run.finished_at.isoformat(),
            "last_success_at": run.last_success_at.isoformat() if run.last_success_at else None,
        }
        if run.failures_in_a_row >= needed:
            cause = (run.error or "").split(":", 1)[0] or "erro"
            breaches.append(
                Breach(
                    run.context,
                    f"Backup diário de {run.context} falhou nas últimas {run.failures_in_a_row} "
                    f"tentativas ({cause})",
                    {**facts, "error": run.error},
                )
            )
        elif run.last_success_at is not None and now - run.last_success_at >= window:
            hours = int((now - run.last_success_at).total_seconds() // 3600)
            breaches.append(
                Breach(run.context, f"Nenhum backup de {run.context} bem-sucedido há {hours} h", facts)
            )
    return breaches


CHECKS: dict[str, Check] = {
    "lane_backlog": lane_backlog,
    "failure_rate": failure_rate,
    "dlq_growth": dlq_growth,
    "sync_failing": sync_failing,
    "target_down": target_down,
    "no_leader": no_leader,
    "backup_failed": backup_failed,
}
