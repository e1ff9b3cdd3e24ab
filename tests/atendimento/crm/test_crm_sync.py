"""CRM lead updates: a job pushes the lead's snapshot (funnel stage, triage) to the CRM simulator."""

from __future__ import annotations

from pathlib import Path

import httpx
from sqlalchemy import select

from carinho import runtime
from carinho.atendimento.agents.models import Role
from carinho.atendimento.inbox.models import Contact
from carinho.connectors.crm.client import CrmClient
from carinho.runtime import Runtime
from tests.atendimento.conftest import OPEN_INSTANT, MakeAgent, freeze_at, post_webhook, received
from tests.atendimento.triage.test_triage import COMPLETE
from tests.sandbox.harness import revalidated, running_sandbox, sandbox_settings
from tests.support.jobs import drain


async def test_the_lead_follows_the_conversation_in_the_crm(
    seeded: Runtime, atendimento: httpx.AsyncClient, make_agent: MakeAgent, tmp_path: Path
) -> None:
    async with running_sandbox(sandbox_settings(tmp_path)) as sandbox:
        settings = revalidated(
            seeded.settings,
            zapi_enabled=False,
            carinho_crm_url=sandbox.settings.carinho_crm_url,
            carinho_crm_api_key=sandbox.settings.carinho_crm_api_key.get_secret_value(),
        )
        rt = runtime.configure(settings)
        freeze_at(OPEN_INSTANT)
        supervisor = await make_agent(Role.supervisor)
        response = await post_webhook(atendimento, received("CRM1", phone="5511912340000"))
        conversation_id = response.json()["conversation_id"]
        await drain(rt, ("atendimento",))
        async with CrmClient(settings) as crm:
            lead = await crm.find_lead_by_phone("5511912340000")
            assert lead is not None
            assert lead.status == "novo"
            assert lead.name == "Maria Souza"
        async with rt.db("atendimento").session() as session:
            contact = (await session.execute(select(Contact))).scalar_one()
            assert contact.crm_lead_id == str(lead.id)

        done = await supervisor.post(
            f"/api/conversations/{conversation_id}/triage", json={"answers": COMPLETE}
        )
        assert done.json()["outcome"] == "qualified"
        await drain(rt, ("atendimento",))
        async with CrmClient(settings) as crm:
            updated = await crm.get_lead(lead.id)
        assert updated.id == lead.id
        assert updated.status == "qualificado"
        extra = updated.model_dump()
        assert extra.get("triage", {}).get("answers", {}).get("idade") == 82
