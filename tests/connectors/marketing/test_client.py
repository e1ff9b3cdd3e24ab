"""The marketing client against its simulator (docs/contratos/marketing.md)."""

from __future__ import annotations

from carinho.connectors.marketing import MarketingClient
from carinho.connectors.marketing.schemas import AttributionInput, ConversionInput
from tests.sandbox.harness import RunningSandbox


async def test_campaign_by_utm_attribution_and_conversion(sandbox: RunningSandbox) -> None:
    async with MarketingClient(sandbox.settings) as marketing:
        campaign = await marketing.find_campaign_by_utm(
            utm_source="google", utm_medium="cpc", utm_campaign="cuidador-idosos-sp"
        )
        assert campaign is not None and campaign.name.startswith("Google Ads")
        # source/medium spelled differently still finds the campaign by utm_campaign
        loose = await marketing.find_campaign_by_utm(
            utm_source="Google", utm_medium=None, utm_campaign="dia-dos-avos"
        )
        assert loose is not None and loose.utm_source == "facebook"
        assert (
            await marketing.find_campaign_by_utm(utm_source="x", utm_medium="y", utm_campaign="nenhuma")
            is None
        )
        assert (
            await marketing.find_campaign_by_utm(utm_source="google", utm_medium="cpc", utm_campaign=None)
            is None
        )

        attribution = await marketing.attribute_lead(
            campaign.id,
            AttributionInput(crm_lead_id=5, utm_source="google", utm_campaign="cuidador-idosos-sp"),
        )
        assert attribution.campaign_id == campaign.id
        conversion = await marketing.record_conversion(
            ConversionInput(crm_lead_id=5, campaign_id=campaign.id, value_cents=480000)
        )
        assert conversion.crm_lead_id == 5
        assert (await marketing.get_campaign(campaign.id)).id == campaign.id
