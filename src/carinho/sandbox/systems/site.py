"""The site simulator (docs/contratos/site.md)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse

from carinho.connectors.site.schemas import SiteLeadUpdate
from carinho.sandbox.systems.common import dump, get_or_404, guard, idempotent, paged, store_of, validated

SYSTEM = "site"
router = APIRouter(prefix=f"/{SYSTEM}/api/v1", tags=["sandbox: site"], dependencies=[Depends(guard(SYSTEM))])


@router.get("/leads")
async def list_leads(request: Request) -> dict[str, Any]:
    return paged(request, await store_of(request).all(SYSTEM, "leads"))


@router.get("/leads/{lead_id}")
async def get_lead(request: Request, lead_id: int) -> dict[str, Any]:
    return {"data": await get_or_404(request, SYSTEM, "leads", lead_id)}


@router.patch("/leads/{lead_id}")
async def mark_lead(request: Request, lead_id: int) -> JSONResponse:
    async def work() -> tuple[int, Any]:
        await get_or_404(request, SYSTEM, "leads", lead_id)
        update = await validated(request, SiteLeadUpdate)
        return 200, {"data": await store_of(request).update(SYSTEM, "leads", lead_id, dump(update))}

    return await idempotent(request, SYSTEM, work)
