"""`/health` (liveness) and `/health/detailed` (database, broker, scheduler, lanes, outbox)."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from sqlalchemy import select, text

from carinho.kit.clock import utcnow
from carinho.runtime import Runtime
from carinho.settings_check import production_warnings
from carinho.worker.broker import ping, queue_depths
from carinho.worker.outbox_repository import OutboxRepository
from carinho.worker.scheduler import HEARTBEAT_NAME

CHECK_TIMEOUT_SECONDS = 3.0


async def _check(coro: Any) -> dict[str, Any]:
    try:
        details = await asyncio.wait_for(coro, timeout=CHECK_TIMEOUT_SECONDS)
        return {"status": "up", **(details or {})}
    except TimeoutError:
        return {"status": "down", "error": f"no answer within {CHECK_TIMEOUT_SECONDS:.0f}s"}
    except Exception as exc:
        return {"status": "down", "error": f"{type(exc).__name__}: {exc}"[:300]}


# What each server database answers when it may lose a commit it acknowledged (a crash or a power
# cut before the log reaches disk): then our 2xx promises less than docs/arquitetura.md says.
_DURABILITY_PROBES = {
    "postgresql": ("SHOW synchronous_commit", lambda v: str(v).lower() != "off", "synchronous_commit=off"),
    "mysql": (
        "SELECT @@innodb_flush_log_at_trx_commit",
        lambda v: str(v) == "1",
        "innodb_flush_log_at_trx_commit is not 1",
    ),
}


async def _database(rt: Runtime, context: str) -> dict[str, Any]:
    db = rt.db(context)
    await db.ping()
    found: dict[str, Any] = {"backend": db.backend, "durable": True}
    probe = _DURABILITY_PROBES.get(db.backend)
    if probe is not None:
        statement, durable, setting = probe
        async with db.engine.connect() as conn:
            value = (await conn.execute(text(statement))).scalar()
        if not durable(value):
            found |= {"durable": False, "durability": setting}
    elif db.backend == "sqlite" and rt.settings.sqlite_synchronous != "full":
        found |= {"durable": False, "durability": "SQLITE_SYNCHRONOUS=normal"}
    return found


def _durability_warnings(context: str, database: dict[str, Any]) -> list[dict[str, str]]:
    if database.get("durable", True):
        return []
    return [
        {
            "code": "database_may_lose_commits",
            "message": f"the {context} database may lose acknowledged commits on a crash or power cut "
            f"({database['durability']})",
        }
    ]


async def _broker(rt: Runtime) -> dict[str, Any]:
    if rt.settings.embedded:
        return {"kind": "embedded"}
    await asyncio.to_thread(ping, rt.lanes)
    return {"kind": "redis", "queued": await asyncio.to_thread(queue_depths, rt.lanes)}


async def _outbox(rt: Runtime, context: str) -> dict[str, Any]:
    spec = rt.spec(context)
    async with rt.db(context).read_session() as session:
        repo = OutboxRepository(session, spec.outbox)
        now = utcnow()
        lanes = await repo.counts_by_lane()
        oldest_by_lane = await repo.oldest_due_pending_by_lane(now)
        expired = await repo.expired_leases(now)
        beat = await session.execute(
            select(spec.heartbeat.beat_at).where(spec.heartbeat.name == HEARTBEAT_NAME)
        )
        beat_at = beat.scalar_one_or_none()
    ages = {lane: round((now - due).total_seconds(), 1) for lane, due in oldest_by_lane.items()}
    return {
        "lanes": lanes,
        "backlog": sum(c.get("pending", 0) + c.get("running", 0) for c in lanes.values()),
        "failed": sum(c.get("failed", 0) for c in lanes.values()),
        # Running rows whose worker stopped renewing its lease (died): the relay hands them on.
        "expired_leases": expired,
        "oldest_pending_age_seconds": max(ages.values(), default=0),
        "oldest_pending_age_seconds_by_lane": ages,
        "scheduler_beat_at": beat_at,
    }


def _scheduler(rt: Runtime, beat_at: Any) -> dict[str, Any]:
    if beat_at is None:
        return {"status": "unknown", "detail": "no heartbeat recorded yet"}
    age = utcnow() - beat_at
    stale = age > timedelta(seconds=rt.settings.scheduler_heartbeat_seconds * 3)
    return {
        "status": "stale" if stale else "up",
        "last_beat_at": beat_at.isoformat(),
        "age_seconds": round(age.total_seconds(), 1),
    }


def build_health_router(context: str) -> APIRouter:
    router = APIRouter(tags=["health"])

    @router.get("/health", summary="Liveness")
    async def health() -> dict[str, str]:
        return {"status": "ok", "service": context}

    @router.get("/health/detailed", summary="Dependencies: database, broker, scheduler, lanes")
    async def health_detailed(request: Request) -> JSONResponse:
        body = await detailed_health(request.app.state.runtime, context)
        return JSONResponse(body, status_code=503 if body["down"] else 200)

    return router


async def detailed_health(rt: Runtime, context: str) -> dict[str, Any]:
    """Database, broker, scheduler and the outbox's lanes of one context (the endpoint and the console)."""
    database, broker = await asyncio.gather(_check(_database(rt, context)), _check(_broker(rt)))
    checks: dict[str, Any] = {"database": database, "broker": broker}
    if database["status"] == "up":
        outbox = await _check(_outbox(rt, context))
        checks["scheduler"] = _scheduler(rt, outbox.pop("scheduler_beat_at", None))
        checks["outbox"] = outbox
    down = [name for name in ("database", "broker") if checks[name]["status"] == "down"]
    return {
        "status": "down" if down else "ok",
        "service": context,
        "down": down,
        "checks": checks,
        "warnings": production_warnings(rt.settings) + _durability_warnings(context, database),
        "checked_at": utcnow().isoformat(),
    }
