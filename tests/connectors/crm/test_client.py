"""The CRM client against the CRM simulator over a real socket (docs/contratos/crm.md)."""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta

import pytest

from carinho.connectors.crm import CrmClient
from carinho.connectors.crm.schemas import CaregiverInput, FeedbackInput, InteractionInput, LeadInput
from carinho.kit import clock
from tests.sandbox.harness import RunningSandbox


async def test_find_lead_by_phone_accepts_any_phone_format(sandbox: RunningSandbox) -> None:
    async with CrmClient(sandbox.settings) as crm:
        lead = await crm.find_lead_by_phone("(11) 98765-1111")
        assert lead is not None
        assert lead.name == "Francisca Rodrigues"
        assert lead.utm_campaign == "cuidador-idosos-sp"
        assert await crm.find_lead_by_phone("5511900000001") is None


async def test_create_update_and_log_interactions(sandbox: RunningSandbox) -> None:
    async with CrmClient(sandbox.settings) as crm:
        lead = await crm.create_lead(
            LeadInput(phone="11 91234-5678", name="Helena Prado", source="whatsapp", neighborhood="Lapa"),
            idempotency_key="lead-1",
        )
        assert lead.phone == "5511912345678" and lead.status == "novo"

        updated = await crm.update_lead(lead.id, LeadInput(status="qualificado", funnel_stage="qualified"))
        assert updated.status == "qualificado"
        assert updated.model_extra and updated.model_extra["funnel_stage"] == "qualified"

        interaction = await crm.log_interaction(
            lead.id,
            InteractionInput(direction="inbound", summary="Olá, preciso de cuidadora", external_id="3EB0AA"),
            idempotency_key="msg-3EB0AA",
        )
        assert interaction.lead_id == lead.id and interaction.external_id == "3EB0AA"
        history = await crm.list_interactions(lead.id)
        assert [i.external_id for i in history.data] == ["3EB0AA"]

    request = sandbox.state.recorder.list("crm")[-2]
    assert request.headers["idempotency-key"] == "msg-3EB0AA"
    assert request.headers["x-api-key"] == sandbox.settings.system_api_key("crm")


async def test_upsert_lead_finds_by_phone_then_creates(sandbox: RunningSandbox) -> None:
    async with CrmClient(sandbox.settings) as crm:
        existing = await crm.upsert_lead(
            {"lead_id": None, "phone": "5511987652222", "funnel_stage": "in_service"}
        )
        assert existing.name == "Sebastião Alves"
        assert existing.lead_id == str(existing.id)
        created = await crm.upsert_lead(
            {"phone": "5511955554444", "name": "Novo Contato", "source": "whatsapp"}
        )
        assert created.id != existing.id
        assert (await crm.find_lead_by_phone("5511955554444")) == created


async def test_a_lead_created_meanwhile_is_found_and_updated_not_an_error(
    sandbox: RunningSandbox, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    async with CrmClient(sandbox.settings) as crm:
        first, created = await crm.create_or_find_lead(
            LeadInput(phone="5511944443333", name="Primeira", source="whatsapp"), idempotency_key="a"
        )
        assert created
        # The CRM refuses a second lead for the phone (422): the one there is the answer.
        again, created = await crm.create_or_find_lead(
            LeadInput(phone="5511944443333", name="Segunda", source="site"), idempotency_key="b"
        )
        assert (again.id, created) == (first.id, False)
        # A refusal the client handles is no failure in the log (it used to warn "connector.failed").
        assert not [r for r in caplog.records if "connector.failed" in r.getMessage()]

        # The race atendimento's CRM sync runs with the hub: both see no lead, both create.
        phone = "5511933332222"
        leads = await asyncio.gather(
            *(
                crm.upsert_lead({"phone": phone, "name": f"Contato {n}"}, idempotency_key=f"race-{n}")
                for n in range(4)
            )
        )
        assert len({lead.id for lead in leads}) == 1
        assert (await crm.find_lead_by_phone(phone)).id == leads[0].id


async def test_clients_and_contracts_with_schedules(sandbox: RunningSandbox) -> None:
    async with CrmClient(sandbox.settings) as crm:
        client = await crm.get_client(1)
        assert client.address and client.address.city == "São Paulo"
        clients = [c async for c in crm.clients()]
        assert len(clients) == 4

        contracts = [c async for c in crm.contracts(status="ativo")]
        assert len(contracts) == 4
        assert all(c.schedules for c in contracts)
        assert (await crm.get_contract(contracts[0].id)).client_id == contracts[0].client_id


async def test_incremental_reads_with_updated_since_and_paging(sandbox: RunningSandbox) -> None:
    async with CrmClient(sandbox.settings) as crm:
        everything = await crm.list_leads()
        assert everything.meta.total == 7
        recent = await crm.list_leads(updated_since=clock.utcnow() - timedelta(days=4))
        assert {lead.name for lead in recent.data} == {
            "Francisca Rodrigues",
            "Sebastião Alves",
            "Luzia Gomes Costa",
        }

        page = await crm._get_page("/leads", type(everything.data[0]), per_page=3, page=3)
        assert page.meta.last_page == 3 and len(page.data) == 1 and not page.has_more


async def test_feedback_and_caregiver_upsert(sandbox: RunningSandbox) -> None:
    async with CrmClient(sandbox.settings) as crm:
        feedback = await crm.record_feedback(
            FeedbackInput(service_id="1", rating=9, comment="Muito atenciosa", client_id=1)
        )
        assert feedback.rating == 9
        caregiver = CaregiverInput(name="Juliana Batista Souza", status="ativo", skills=["alzheimer"])
        first = await crm.upsert_caregiver(1, caregiver)
        second = await crm.upsert_caregiver(1, caregiver.model_copy(update={"status": "ferias"}))
        assert first.id == second.id == "1"
        assert second.status == "ferias"
