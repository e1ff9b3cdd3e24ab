"""The hub's status for machines and people: version, uptime, dependencies, lanes (backlog, oldest
wait, workers alive and their threads), the scheduler, the last run of each sync, the DLQ and the open alerts.

Public-safe by construction: it carries names of lanes, syncs and target systems, counts, ages and
states, never an error text (a driver's message may hold a host or a user), a payload, a token or
the scheduler's host name.
"""

from __future__ import annotations

import time
from importlib.metadata import PackageNotFoundError, version
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from carinho.health import detailed_health
from carinho.integracoes.alerts.service import alert_service
from carinho.integracoes.database import Heartbeat, OutboxMessage
from carinho.integracoes.dlq.service import dead_letter_service
from carinho.integracoes.sync.definitions import SYNCS
from carinho.integracoes.sync.repository import SyncRepository
from carinho.kit.clock import utcnow
from carinho.runtime import Runtime
from carinho.worker.heartbeat import alive_by_lane, workers_seen
from carinho.worker.outbox_repository import OutboxRepository

_STARTED = time.monotonic()
_STARTED_AT = utcnow()


def _version() -> str:
    try:
        return version("carinho")
    except PackageNotFoundError:
        return "desconhecida"


def _dependencies(health: dict[str, Any]) -> dict[str, dict[str, Any]]:
    checks = health["checks"]
    deps: dict[str, dict[str, Any]] = {
        "database": {"status": checks["database"]["status"], "backend": checks["database"].get("backend")},
        "broker": {"status": checks["broker"]["status"], "kind": checks["broker"].get("kind")},
    }
    scheduler = checks.get("scheduler")
    if scheduler is not None:
        deps["scheduler"] = {"status": scheduler["status"], "age_seconds": scheduler.get("age_seconds")}
    return deps


async def _lanes(session: AsyncSession, health: dict[str, Any]) -> list[dict[str, Any]]:
    counts = health["checks"].get("outbox", {}).get("lanes", {})
    now = utcnow()
    oldest = await OutboxRepository(session, OutboxMessage).oldest_due_pending_by_lane(now)
    # Counts only: a worker's host name is not public.
    alive = alive_by_lane(await workers_seen(session, Heartbeat, now))
    rows = []
    for lane in sorted(set(counts) | set(alive)):
        by_status = counts.get(lane, {})
        rows.append(
            {
                "lane": lane,
                "backlog": by_status.get("pending", 0) + by_status.get("running", 0),
                "running": by_status.get("running", 0),
                "failed": by_status.get("failed", 0),
                "oldest_age_seconds": round((now - oldest[lane]).total_seconds(), 1) if lane in oldest else 0,
                "workers_alive": alive.get(lane, {}).get("workers", 0),
                "concurrency": alive.get(lane, {}).get("threads", 0),
            }
        )
    return rows


async def _syncs(session: AsyncSession) -> list[dict[str, Any]]:
    last = await SyncRepository(session).last_runs()
    rows = []
    for name, definition in SYNCS.items():
        job = last.get(name)
        rows.append(
            {
                "name": name,
                "description": definition.description,
                "last_status": job.status if job else None,
                "last_started_at": job.started_at.isoformat() if job and job.started_at else None,
                "last_finished_at": job.finished_at.isoformat() if job and job.finished_at else None,
                "failed_count": job.failed_count if job else None,
            }
        )
    return rows


async def hub_status(rt: Runtime, session: AsyncSession) -> dict[str, Any]:
    # The health checks open their own connections; on SQLite end this transaction first.
    await session.commit()
    health = await detailed_health(rt, "integracoes")
    dependencies = _dependencies(health)
    database_up = dependencies["database"]["status"] == "up"
    dlq = await dead_letter_service.stats(session) if database_up else None
    alerts = await alert_service.open_alerts(session) if database_up else []
    scheduler = dependencies.get("scheduler", {"status": "unknown", "age_seconds": None})
    degraded = scheduler["status"] != "up" or bool(alerts) or bool(health["warnings"])
    return {
        "service": "integracoes",
        "status": "down" if health["down"] else ("degraded" if degraded else "ok"),
        "version": _version(),
        "started_at": _STARTED_AT.isoformat(),
        "uptime_seconds": round(time.monotonic() - _STARTED, 1),
        "warnings": health["warnings"],
        "dependencies": dependencies,
        "lanes": await _lanes(session, health) if database_up else [],
        "scheduler": {
            "leader": scheduler["status"] == "up",
            "status": scheduler["status"],
            "last_beat_age_seconds": scheduler.get("age_seconds"),
        },
        "syncs": await _syncs(session) if database_up else [],
        "dlq": {
            "open": dlq.open if dlq else None,
            "oldest_open_age_seconds": dlq.oldest_open_age_seconds if dlq else None,
        },
        "open_alerts": [
            {
                "id": a.id,
                "kind": a.kind,
                "subject": a.subject,
                "title": a.title,
                "opened_at": a.opened_at.isoformat() if a.opened_at else None,
                "acknowledged": a.acknowledged_at is not None,
            }
            for a in alerts
        ],
        "checked_at": utcnow().isoformat(),
    }
