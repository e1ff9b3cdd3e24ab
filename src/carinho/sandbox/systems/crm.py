"""The CRM simulator (docs/contratos/crm.md)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse

from carinho.connectors.crm.schemas import CaregiverInput, FeedbackInput, InteractionInput, LeadInput
from carinho.kit.phones import normalize_br_phone
from carinho.sandbox.systems.common import (
    LaravelError,
    dump,
    get_or_404,
    guard,
    idempotent,
    paged,
    store_of,
    validated,
)
from carinho.sandbox.systems.store import DuplicateKey

SYSTEM = "crm"
router = APIRouter(prefix=f"/{SYSTEM}/api/v1", tags=["sandbox: crm"], dependencies=[Depends(guard(SYSTEM))])


@router.get("/leads")
async def list_leads(request: Request, phone: str | None = None, status: str | None = None) -> dict[str, Any]:
    wanted = normalize_br_phone(phone) if phone else None
    return paged(request, await store_of(request).all(SYSTEM, "leads"), {"phone": wanted, "status": status})


@router.get("/leads/{lead_id}")
async def get_lead(request: Request, lead_id: int) -> dict[str, Any]:
    return {"data": await get_or_404(request, SYSTEM, "leads", lead_id)}


@router.post("/leads")
async def create_lead(request: Request) -> JSONResponse:
    async def work() -> tuple[int, Any]:
        lead = await validated(request, LeadInput)
        phone = normalize_br_phone(lead.phone) if lead.phone else None
        if phone is None:
            raise LaravelError(
                422, "O campo phone é obrigatório.", {"phone": ["O campo phone é obrigatório."]}
            )
        values = {"source": "whatsapp", "status": "novo", **dump(lead), "phone": phone}
        try:
            created = await store_of(request).insert(SYSTEM, "leads", values, key=phone)
        except DuplicateKey:  # the phone is unique, also between simultaneous creations
            message = "O campo phone já está sendo utilizado."
            raise LaravelError(422, message, {"phone": [message]}) from None
        return 201, {"data": created}

    return await idempotent(request, SYSTEM, work)


@router.patch("/leads/{lead_id}")
async def update_lead(request: Request, lead_id: int) -> JSONResponse:
    async def work() -> tuple[int, Any]:
        await get_or_404(request, SYSTEM, "leads", lead_id)
        changes = dump(await validated(request, LeadInput))
        changes.pop("phone", None)  # the phone identifies the lead; it does not change here
        return 200, {"data": await store_of(request).update(SYSTEM, "leads", lead_id, changes)}

    return await idempotent(request, SYSTEM, work)


@router.get("/leads/{lead_id}/interactions")
async def list_interactions(request: Request, lead_id: int) -> dict[str, Any]:
    await get_or_404(request, SYSTEM, "leads", lead_id)
    return paged(request, await store_of(request).all(SYSTEM, "interactions"), {"lead_id": lead_id})


@router.post("/leads/{lead_id}/interactions")
async def log_interaction(request: Request, lead_id: int) -> JSONResponse:
    async def work() -> tuple[int, Any]:
        await get_or_404(request, SYSTEM, "leads", lead_id)
        interaction = await validated(request, InteractionInput)
        record = await store_of(request).insert(
            SYSTEM, "interactions", {"lead_id": lead_id, **dump(interaction)}
        )
        return 201, {"data": record}

    return await idempotent(request, SYSTEM, work)


@router.get("/clients")
async def list_clients(request: Request) -> dict[str, Any]:
    return paged(request, await store_of(request).all(SYSTEM, "clients"))


@router.get("/clients/{client_id}")
async def get_client(request: Request, client_id: int) -> dict[str, Any]:
    return {"data": await get_or_404(request, SYSTEM, "clients", client_id)}


@router.get("/contracts")
async def list_contracts(request: Request, status: str | None = None) -> dict[str, Any]:
    return paged(request, await store_of(request).all(SYSTEM, "contracts"), {"status": status})


@router.get("/contracts/{contract_id}")
async def get_contract(request: Request, contract_id: int) -> dict[str, Any]:
    return {"data": await get_or_404(request, SYSTEM, "contracts", contract_id)}


@router.post("/feedback")
async def record_feedback(request: Request) -> JSONResponse:
    async def work() -> tuple[int, Any]:
        feedback = await validated(request, FeedbackInput)
        return 201, {"data": await store_of(request).insert(SYSTEM, "feedback", dump(feedback))}

    return await idempotent(request, SYSTEM, work)


@router.put("/caregivers/{cuidadores_id}")
async def upsert_caregiver(request: Request, cuidadores_id: str) -> JSONResponse:
    async def work() -> tuple[int, Any]:
        caregiver = await validated(request, CaregiverInput)
        record, created = await store_of(request).upsert_by_key(
            SYSTEM, "caregivers", cuidadores_id, {"cuidadores_id": cuidadores_id, **dump(caregiver)}
        )
        return (201 if created else 200), {"data": {**record, "id": cuidadores_id}}

    return await idempotent(request, SYSTEM, work)
