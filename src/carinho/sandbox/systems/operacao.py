"""The operação simulator (docs/contratos/operacao.md)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse

from carinho.connectors.operacao.schemas import ContractInput, EmergencyInput, EscalationInput
from carinho.kit import clock
from carinho.sandbox.systems.common import (
    dump,
    get_or_404,
    guard,
    idempotent,
    not_found,
    paged,
    store_of,
    validated,
)

SYSTEM = "operacao"
router = APIRouter(
    prefix=f"/{SYSTEM}/api/v1", tags=["sandbox: operacao"], dependencies=[Depends(guard(SYSTEM))]
)


@router.put("/contracts/{crm_contract_id}")
async def upsert_contract(request: Request, crm_contract_id: int) -> JSONResponse:
    async def work() -> tuple[int, Any]:
        contract = await validated(request, ContractInput)
        record, created = await store_of(request).upsert_by_key(
            SYSTEM, "contracts", str(crm_contract_id), {"crm_contract_id": crm_contract_id, **dump(contract)}
        )
        return (201 if created else 200), {"data": record}

    return await idempotent(request, SYSTEM, work)


@router.get("/contracts/{crm_contract_id}")
async def get_contract(request: Request, crm_contract_id: int) -> dict[str, Any]:
    record = await store_of(request).get_by_key(SYSTEM, "contracts", str(crm_contract_id))
    if record is None:
        raise not_found()
    return {"data": record}


@router.get("/services")
async def list_services(request: Request, status: str | None = None) -> dict[str, Any]:
    return paged(request, await store_of(request).all(SYSTEM, "services"), {"status": status})


@router.get("/services/{service_id}")
async def get_service(request: Request, service_id: int) -> dict[str, Any]:
    return {"data": await get_or_404(request, SYSTEM, "services", service_id)}


async def _occurrence(
    request: Request, resource: str, prefix: str, values: dict[str, Any]
) -> tuple[int, Any]:
    store = store_of(request)
    record = await store.insert(SYSTEM, resource, {**values, "status": "aberta"})
    protocol = f"{prefix}-{clock.utcnow():%Y}-{record['id']:06d}"
    return 201, {"data": await store.update(SYSTEM, resource, record["id"], {"protocol": protocol})}


@router.post("/emergencies")
async def report_emergency(request: Request) -> JSONResponse:
    async def work() -> tuple[int, Any]:
        emergency = await validated(request, EmergencyInput)
        return await _occurrence(request, "emergencies", "EMG", dump(emergency))

    return await idempotent(request, SYSTEM, work)


@router.post("/escalations")
async def report_escalation(request: Request) -> JSONResponse:
    async def work() -> tuple[int, Any]:
        escalation = await validated(request, EscalationInput)
        return await _occurrence(request, "escalations", "ESC", dump(escalation))

    return await idempotent(request, SYSTEM, work)
