"""Every page router of the console (the hub app includes this one list)."""

from __future__ import annotations

from fastapi import APIRouter

from carinho.integracoes.console import (
    account,
    alerts_pages,
    apikeys,
    dlq_pages,
    endpoints,
    events_pages,
    live,
    mappings,
    overview,
    syncs,
)

PAGE_ROUTERS: list[APIRouter] = [
    account.router,
    overview.router,
    live.router,
    events_pages.router,
    dlq_pages.router,
    syncs.router,
    mappings.router,
    endpoints.router,
    apikeys.router,
    alerts_pages.router,
]
