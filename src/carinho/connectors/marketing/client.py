"""Marketing client: campaigns by UTM, lead attribution and conversions (docs/contratos/marketing.md)."""

from __future__ import annotations

from carinho.connectors.base import Page, SystemClient
from carinho.connectors.marketing.schemas import (
    Attribution,
    AttributionInput,
    Campaign,
    Conversion,
    ConversionInput,
)


class MarketingClient(SystemClient):
    system = "marketing"

    async def find_campaigns(
        self,
        *,
        utm_source: str | None = None,
        utm_medium: str | None = None,
        utm_campaign: str | None = None,
        page: int = 1,
    ) -> Page[Campaign]:
        return await self._get_page(
            "/campaigns",
            Campaign,
            page=page,
            utm_source=utm_source,
            utm_medium=utm_medium,
            utm_campaign=utm_campaign,
        )

    async def find_campaign_by_utm(
        self, *, utm_source: str | None, utm_medium: str | None, utm_campaign: str | None
    ) -> Campaign | None:
        """The campaign the UTM parameters name (utm_campaign decides; source/medium narrow it)."""
        if not utm_campaign:
            return None
        found = await self.find_campaigns(
            utm_source=utm_source, utm_medium=utm_medium, utm_campaign=utm_campaign
        )
        if not found.data and (utm_source or utm_medium):
            found = await self.find_campaigns(utm_campaign=utm_campaign)
        return found.data[0] if found.data else None

    async def get_campaign(self, campaign_id: int | str) -> Campaign:
        return await self._get_one(f"/campaigns/{campaign_id}", Campaign)

    async def attribute_lead(
        self, campaign_id: int | str, attribution: AttributionInput, *, idempotency_key: str | None = None
    ) -> Attribution:
        data = await self._write(
            "POST", f"/campaigns/{campaign_id}/leads", attribution, idempotency_key=idempotency_key
        )
        return Attribution.model_validate(data)

    async def record_conversion(
        self, conversion: ConversionInput, *, idempotency_key: str | None = None
    ) -> Conversion:
        return Conversion.model_validate(
            await self._write("POST", "/conversions", conversion, idempotency_key=idempotency_key)
        )
