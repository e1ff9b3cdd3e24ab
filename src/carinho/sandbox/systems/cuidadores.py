"""The cuidadores simulator (docs/contratos/cuidadores.md)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse

from carinho.connectors.cuidadores.schemas import CaregiverFeedbackInput
from carinho.sandbox.systems.common import dump, get_or_404, guard, idempotent, paged, store_of, validated

SYSTEM = "cuidadores"
router = APIRouter(
    prefix=f"/{SYSTEM}/api/v1", tags=["sandbox: cuidadores"], dependencies=[Depends(guard(SYSTEM))]
)


@router.get("/caregivers")
async def list_caregivers(request: Request, status: str | None = None) -> dict[str, Any]:
    return paged(request, await store_of(request).all(SYSTEM, "caregivers"), {"status": status})


@router.get("/caregivers/{caregiver_id}")
async def get_caregiver(request: Request, caregiver_id: int) -> dict[str, Any]:
    return {"data": await get_or_404(request, SYSTEM, "caregivers", caregiver_id)}


@router.post("/caregivers/{caregiver_id}/feedback")
async def record_feedback(request: Request, caregiver_id: int) -> JSONResponse:
    async def work() -> tuple[int, Any]:
        caregiver = await get_or_404(request, SYSTEM, "caregivers", caregiver_id)
        feedback = await validated(request, CaregiverFeedbackInput)
        store = store_of(request)
        record = await store.insert(SYSTEM, "feedback", {"caregiver_id": caregiver_id, **dump(feedback)})
        ratings = [
            f["rating"] for f in await store.all(SYSTEM, "feedback") if f["caregiver_id"] == caregiver_id
        ]
        # A new rating changes the caregiver, so the next Cuidadores → CRM sync carries it.
        await store.update(
            SYSTEM,
            "caregivers",
            caregiver_id,
            {
                "rating_avg": round(sum(ratings) / len(ratings), 2),
                "feedback_count": len(ratings),
                "name": caregiver["name"],
            },
        )
        return 201, {"data": record}

    return await idempotent(request, SYSTEM, work)
