"""Financeiro client: customers, recurring charges, billable services, invoices, payments and
payouts (docs/contratos/financeiro.md)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime

from carinho.connectors.base import Page, SystemClient
from carinho.connectors.financeiro.schemas import (
    BillableService,
    BillableServiceInput,
    Customer,
    CustomerInput,
    Invoice,
    Payment,
    Payout,
    Subscription,
    SubscriptionInput,
)


class FinanceiroClient(SystemClient):
    system = "financeiro"

    async def upsert_customer(
        self, crm_client_id: int | str, customer: CustomerInput, *, idempotency_key: str | None = None
    ) -> Customer:
        data = await self._write(
            "PUT", f"/customers/{crm_client_id}", customer, idempotency_key=idempotency_key
        )
        return Customer.model_validate(data)

    async def upsert_subscription(
        self,
        crm_contract_id: int | str,
        subscription: SubscriptionInput,
        *,
        idempotency_key: str | None = None,
    ) -> Subscription:
        data = await self._write(
            "PUT", f"/subscriptions/{crm_contract_id}", subscription, idempotency_key=idempotency_key
        )
        return Subscription.model_validate(data)

    async def get_subscription(self, crm_contract_id: int | str) -> Subscription:
        return await self._get_one(f"/subscriptions/{crm_contract_id}", Subscription)

    async def upsert_billable_service(
        self,
        operacao_service_id: int | str,
        service: BillableServiceInput,
        *,
        idempotency_key: str | None = None,
    ) -> BillableService:
        data = await self._write(
            "PUT", f"/billable-services/{operacao_service_id}", service, idempotency_key=idempotency_key
        )
        return BillableService.model_validate(data)

    async def list_invoices(
        self, *, page: int = 1, updated_since: datetime | None = None, status: str | None = None
    ) -> Page[Invoice]:
        return await self._get_page(
            "/invoices", Invoice, page=page, updated_since=updated_since, status=status
        )

    async def get_payment(self, payment_id: int | str) -> Payment:
        return await self._get_one(f"/payments/{payment_id}", Payment)

    def payments(self, *, updated_since: datetime | None = None) -> AsyncIterator[Payment]:
        return self._iterate("/payments", Payment, updated_since=updated_since)

    async def get_payout(self, payout_id: int | str) -> Payout:
        return await self._get_one(f"/payouts/{payout_id}", Payout)

    def payouts(self, *, updated_since: datetime | None = None) -> AsyncIterator[Payout]:
        return self._iterate("/payouts", Payout, updated_since=updated_since)
