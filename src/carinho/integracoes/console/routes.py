"""Every page router of the console (the hub app includes this one list)."""

from __future__ import annotations

from fastapi import APIRouter

from carinho.integracoes.console import account, overview

PAGE_ROUTERS: list[APIRouter] = [
    account.router,
    overview.router,
]
