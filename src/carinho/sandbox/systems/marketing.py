"""The marketing simulator (docs/contratos/marketing.md)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse

from carinho.connectors.marketing.schemas import AttributionInput, ConversionInput
from carinho.sandbox.systems.common import dump, get_or_404, guard, idempotent, paged, store_of, validated

SYSTEM = "marketing"
router = APIRouter(
    prefix=f"/{SYSTEM}/api/v1", tags=["sandbox: marketing"], dependencies=[Depends(guard(SYSTEM))]
)


@router.get("/campaigns")
async def list_campaigns(
    request: Request,
    utm_source: str | None = None,
    utm_medium: str | None = None,
    utm_campaign: str | None = None,
    status: str | None = None,
) -> dict[str, Any]:
    filters = {
        "utm_source": utm_source,
        "utm_medium": utm_medium,
        "utm_campaign": utm_campaign,
        "status": status,
    }
    return paged(request, await store_of(request).all(SYSTEM, "campaigns"), filters)


@router.get("/campaigns/{campaign_id}")
async def get_campaign(request: Request, campaign_id: int) -> dict[str, Any]:
    return {"data": await get_or_404(request, SYSTEM, "campaigns", campaign_id)}


@router.post("/campaigns/{campaign_id}/leads")
async def attribute_lead(request: Request, campaign_id: int) -> JSONResponse:
    async def work() -> tuple[int, Any]:
        await get_or_404(request, SYSTEM, "campaigns", campaign_id)
        attribution = await validated(request, AttributionInput)
        record = await store_of(request).insert(
            SYSTEM, "attributions", {"campaign_id": campaign_id, **dump(attribution)}
        )
        return 201, {"data": record}

    return await idempotent(request, SYSTEM, work)


@router.post("/conversions")
async def record_conversion(request: Request) -> JSONResponse:
    async def work() -> tuple[int, Any]:
        conversion = await validated(request, ConversionInput)
        return 201, {"data": await store_of(request).insert(SYSTEM, "conversions", dump(conversion))}

    return await idempotent(request, SYSTEM, work)
