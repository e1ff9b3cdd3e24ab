"""The operação client against its simulator (docs/contratos/operacao.md)."""

from __future__ import annotations

from datetime import date

from carinho.connectors.crm.schemas import Schedule
from carinho.connectors.operacao import OperacaoClient
from carinho.connectors.operacao.schemas import ContractInput, EmergencyInput, EscalationInput
from tests.sandbox.harness import RunningSandbox


async def test_contract_upsert_is_idempotent_by_crm_id(sandbox: RunningSandbox) -> None:
    contract = ContractInput(
        crm_client_id=1,
        client_name="Maria Aparecida dos Santos",
        service_type="cuidador_diurno",
        status="ativo",
        start_date=date(2026, 10, 1),
        schedules=[Schedule(weekday=1, start_time="08:00", end_time="18:00")],
    )
    async with OperacaoClient(sandbox.settings) as operacao:
        created = await operacao.upsert_contract(10, contract)
        again = await operacao.upsert_contract(10, contract)
        changed = await operacao.upsert_contract(10, contract.model_copy(update={"status": "suspenso"}))
        fetched = await operacao.get_contract(10)
    assert created.id == again.id == changed.id == fetched.id
    assert created.crm_contract_id == 10
    assert again.updated_at == created.updated_at
    assert fetched.status == "suspenso"


async def test_services_executed(sandbox: RunningSandbox) -> None:
    async with OperacaoClient(sandbox.settings) as operacao:
        done = [s async for s in operacao.services()]
        assert len(done) == 6 and all(s.status == "concluido" and s.hours > 0 for s in done)
        everything = await operacao.list_services(status=None)
        assert everything.meta.total == 8
        assert (await operacao.get_service(done[0].id)).crm_contract_id == done[0].crm_contract_id


async def test_emergency_and_escalation_get_protocols(sandbox: RunningSandbox) -> None:
    async with OperacaoClient(sandbox.settings) as operacao:
        emergency = await operacao.report_emergency(
            EmergencyInput(
                conversation_id=42,
                client_phone="5511987650101",
                category="queda",
                severity="critica",
                description="Cliente relata que a mãe caiu no banheiro.",
            ),
            idempotency_key="emergency-42",
        )
        escalation = await operacao.report_escalation(
            EscalationInput(conversation_id=42, client_phone="5511987650101", level="n3", reason="Emergência")
        )
    assert emergency.protocol.startswith("EMG-") and emergency.status == "aberta"
    assert escalation.protocol.startswith("ESC-")
