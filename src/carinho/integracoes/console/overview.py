"""Visão geral: the hub at a glance — lanes and their backlog, the scheduler, events of the last hour
and day, the dead-letter queue — refreshed every few seconds."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from carinho.integracoes.console.auth import ConsoleViewer, HubSession
from carinho.integracoes.console.pages import HOME_URL, pages
from carinho.integracoes.dlq.service import dead_letter_service
from carinho.integracoes.events.service import event_service
from carinho.kit.health import detailed_health

router = APIRouter(include_in_schema=False)

# A lane whose oldest waiting work is older than this is shown as stuck.
STUCK_AFTER_SECONDS = 60.0


async def overview_context(request: Request, session: HubSession) -> dict[str, Any]:
    # The health checks open connections of their own; on SQLite every transaction holds the write
    # lock (BEGIN IMMEDIATE), so the one that loaded the operator ends first or they wait for it.
    await session.commit()
    health = await detailed_health(request.app.state.runtime, "integracoes")
    outbox = health["checks"].get("outbox", {})
    return {
        "health": health,
        "lanes": sorted(outbox.get("lanes", {}).items()),
        "oldest_age": outbox.get("oldest_pending_age_seconds") or 0,
        "stuck": (outbox.get("oldest_pending_age_seconds") or 0) > STUCK_AFTER_SECONDS,
        "scheduler": health["checks"].get("scheduler", {}),
        "events": await event_service.stats(session),
        "dlq": await dead_letter_service.stats(session),
    }


@router.get(HOME_URL)
async def overview(request: Request, session: HubSession, operator: ConsoleViewer) -> Response:
    context = await overview_context(request, session)
    return pages.render(request, "console/overview.html", active="painel", title="Visão geral", **context)


@router.get(f"{HOME_URL}/atualizar")
async def overview_refresh(request: Request, session: HubSession, operator: ConsoleViewer) -> Response:
    context = await overview_context(request, session)
    return pages.render(request, "console/overview_body.html", **context)
