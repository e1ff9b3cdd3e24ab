"""The financeiro client against its simulator (docs/contratos/financeiro.md)."""

from __future__ import annotations

from datetime import date

from carinho.connectors.financeiro import FinanceiroClient
from carinho.connectors.financeiro.schemas import BillableServiceInput, CustomerInput, SubscriptionInput
from tests.sandbox.harness import RunningSandbox


async def test_billing_setup_customer_and_recurring_charge(sandbox: RunningSandbox) -> None:
    async with FinanceiroClient(sandbox.settings) as financeiro:
        customer = await financeiro.upsert_customer(
            7, CustomerInput(name="Helena Prado", email="helena@exemplo.com.br", phone="5511912345678")
        )
        subscription = await financeiro.upsert_subscription(
            70,
            SubscriptionInput(
                crm_client_id=7,
                amount_cents=480000,
                billing_day=5,
                payment_method="pix",
                starts_on=date(2026, 12, 1),
            ),
        )
        fetched = await financeiro.get_subscription(70)
    assert customer.crm_client_id == 7
    assert subscription.amount_cents == 480000 and subscription.status == "ativa"
    assert fetched.id == subscription.id


async def test_billable_services_invoices_payments_payouts(sandbox: RunningSandbox) -> None:
    async with FinanceiroClient(sandbox.settings) as financeiro:
        billed = await financeiro.upsert_billable_service(
            3,
            BillableServiceInput(
                crm_contract_id=3,
                crm_client_id=3,
                service_date=date(2026, 11, 20),
                hours=10,
                amount_cents=24000,
            ),
        )
        assert billed.operacao_service_id == 3
        invoices = await financeiro.list_invoices(status="paga")
        assert invoices.meta.total == 3
        payments = [p async for p in financeiro.payments()]
        assert len(payments) == 3
        assert (await financeiro.get_payment(payments[0].id)).amount_cents == payments[0].amount_cents
        payouts = [p async for p in financeiro.payouts()]
        assert {p.status for p in payouts} == {"pago", "agendado"}
        assert (await financeiro.get_payout(1)).caregiver_id == 1
