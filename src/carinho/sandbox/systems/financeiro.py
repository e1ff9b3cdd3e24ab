"""The financeiro simulator (docs/contratos/financeiro.md)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse

from carinho.connectors.financeiro.schemas import BillableServiceInput, CustomerInput, SubscriptionInput
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

SYSTEM = "financeiro"
router = APIRouter(
    prefix=f"/{SYSTEM}/api/v1", tags=["sandbox: financeiro"], dependencies=[Depends(guard(SYSTEM))]
)


@router.put("/customers/{crm_client_id}")
async def upsert_customer(request: Request, crm_client_id: int) -> JSONResponse:
    async def work() -> tuple[int, Any]:
        customer = await validated(request, CustomerInput)
        record, created = await store_of(request).upsert_by_key(
            SYSTEM, "customers", str(crm_client_id), {"crm_client_id": crm_client_id, **dump(customer)}
        )
        return (201 if created else 200), {"data": record}

    return await idempotent(request, SYSTEM, work)


@router.put("/subscriptions/{crm_contract_id}")
async def upsert_subscription(request: Request, crm_contract_id: int) -> JSONResponse:
    async def work() -> tuple[int, Any]:
        subscription = await validated(request, SubscriptionInput)
        record, created = await store_of(request).upsert_by_key(
            SYSTEM,
            "subscriptions",
            str(crm_contract_id),
            {"crm_contract_id": crm_contract_id, **dump(subscription)},
        )
        return (201 if created else 200), {"data": record}

    return await idempotent(request, SYSTEM, work)


@router.get("/subscriptions/{crm_contract_id}")
async def get_subscription(request: Request, crm_contract_id: int) -> dict[str, Any]:
    record = await store_of(request).get_by_key(SYSTEM, "subscriptions", str(crm_contract_id))
    if record is None:
        raise not_found()
    return {"data": record}


@router.put("/billable-services/{operacao_service_id}")
async def upsert_billable_service(request: Request, operacao_service_id: int) -> JSONResponse:
    async def work() -> tuple[int, Any]:
        service = await validated(request, BillableServiceInput)
        record, created = await store_of(request).upsert_by_key(
            SYSTEM,
            "billable_services",
            str(operacao_service_id),
            {"operacao_service_id": operacao_service_id, **dump(service)},
        )
        return (201 if created else 200), {"data": record}

    return await idempotent(request, SYSTEM, work)


@router.get("/invoices")
async def list_invoices(request: Request, status: str | None = None) -> dict[str, Any]:
    return paged(request, await store_of(request).all(SYSTEM, "invoices"), {"status": status})


@router.get("/payments")
async def list_payments(request: Request) -> dict[str, Any]:
    return paged(request, await store_of(request).all(SYSTEM, "payments"))


@router.get("/payments/{payment_id}")
async def get_payment(request: Request, payment_id: int) -> dict[str, Any]:
    return {"data": await get_or_404(request, SYSTEM, "payments", payment_id)}


@router.get("/payouts")
async def list_payouts(request: Request) -> dict[str, Any]:
    return paged(request, await store_of(request).all(SYSTEM, "payouts"))


@router.get("/payouts/{payout_id}")
async def get_payout(request: Request, payout_id: int) -> dict[str, Any]:
    return {"data": await get_or_404(request, SYSTEM, "payouts", payout_id)}
