"""Site client: the leads its forms captured (docs/contratos/site.md)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime

from carinho.connectors.base import Page, SystemClient
from carinho.connectors.site.schemas import SiteLead, SiteLeadUpdate


class SiteClient(SystemClient):
    system = "site"

    async def get_lead(self, lead_id: int | str) -> SiteLead:
        return await self._get_one(f"/leads/{lead_id}", SiteLead)

    async def list_leads(self, *, page: int = 1, updated_since: datetime | None = None) -> Page[SiteLead]:
        return await self._get_page("/leads", SiteLead, page=page, updated_since=updated_since)

    def leads(self, *, updated_since: datetime | None = None) -> AsyncIterator[SiteLead]:
        return self._iterate("/leads", SiteLead, updated_since=updated_since)

    async def mark_lead(
        self, lead_id: int | str, update: SiteLeadUpdate, *, idempotency_key: str | None = None
    ) -> SiteLead:
        """Tell the site which CRM lead its submission became."""
        data = await self._write("PATCH", f"/leads/{lead_id}", update, idempotency_key=idempotency_key)
        return SiteLead.model_validate(data)
