"""The site client against its simulator (docs/contratos/site.md)."""

from __future__ import annotations

from carinho.connectors.site import SiteClient
from carinho.connectors.site.schemas import SiteLeadUpdate
from tests.sandbox.harness import RunningSandbox


async def test_site_leads_and_marking_them(sandbox: RunningSandbox) -> None:
    async with SiteClient(sandbox.settings) as site:
        leads = [lead async for lead in site.leads()]
        assert len(leads) == 2
        assert leads[0].form["bairro"] and leads[0].utm_source
        marked = await site.mark_lead(leads[0].id, SiteLeadUpdate(crm_lead_id=99, status="registrado_crm"))
        assert marked.crm_lead_id == 99
        assert (await site.get_lead(leads[0].id)).crm_lead_id == 99
        assert (await site.list_leads()).meta.total == 2
