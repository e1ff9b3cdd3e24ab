"""CRM client: leads, interactions, clients, contracts, feedback, caregivers (docs/contratos/crm.md)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime
from typing import Any

from carinho.connectors.base import Page, SystemClient
from carinho.connectors.crm.schemas import (
    CaregiverInput,
    Client,
    Contract,
    CrmCaregiver,
    Feedback,
    FeedbackInput,
    Interaction,
    InteractionInput,
    Lead,
    LeadInput,
)
from carinho.connectors.errors import ConnectorPermanentError
from carinho.kit.phones import normalize_br_phone


class CrmClient(SystemClient):
    system = "crm"

    # leads
    async def find_lead_by_phone(self, phone: str) -> Lead | None:
        normalized = normalize_br_phone(phone) or phone
        page = await self._get_page("/leads", Lead, phone=normalized, per_page=1)
        return page.data[0] if page.data else None

    async def get_lead(self, lead_id: int | str) -> Lead:
        return await self._get_one(f"/leads/{lead_id}", Lead)

    async def create_lead(self, lead: LeadInput, *, idempotency_key: str | None = None) -> Lead:
        return Lead.model_validate(await self._write("POST", "/leads", lead, idempotency_key=idempotency_key))

    async def update_lead(
        self, lead_id: int | str, changes: LeadInput, *, idempotency_key: str | None = None
    ) -> Lead:
        data = await self._write("PATCH", f"/leads/{lead_id}", changes, idempotency_key=idempotency_key)
        return Lead.model_validate(data)

    async def create_or_find_lead(
        self, lead: LeadInput, *, idempotency_key: str | None = None
    ) -> tuple[Lead, bool]:
        """(the lead created, True), or (the lead with this phone, False) when another writer created
        it first: the CRM refuses a second lead per phone (422 "phone already used")."""
        try:
            data = await self._write(
                "POST", "/leads", lead, idempotency_key=idempotency_key, expected_refusals=frozenset({422})
            )
            return Lead.model_validate(data), True
        except ConnectorPermanentError as exc:
            found = await self.find_lead_by_phone(lead.phone) if lead.phone else None
            if found is None:
                raise exc from None
            return found, False

    async def upsert_lead(
        self, lead: LeadInput | dict[str, Any], *, idempotency_key: str | None = None
    ) -> Lead:
        """Update the lead known by `lead_id` or phone, or create it."""
        values = lead.model_dump(exclude_none=True) if isinstance(lead, LeadInput) else dict(lead)
        lead_id = values.pop("lead_id", None)
        if lead_id is None and values.get("phone"):
            existing = await self.find_lead_by_phone(str(values["phone"]))
            lead_id = existing.id if existing else None
        data = LeadInput.model_validate(values)
        if lead_id is not None:
            return await self.update_lead(lead_id, data, idempotency_key=idempotency_key)
        found, created = await self.create_or_find_lead(data, idempotency_key=idempotency_key)
        if created:
            return found
        # Created meanwhile (the hub registers a WhatsApp contact's lead at the same time): update it,
        # under a key of its own (the refused create's key is spent).
        update_key = f"{idempotency_key}.update" if idempotency_key else None
        return await self.update_lead(found.id, data, idempotency_key=update_key)

    async def list_leads(self, *, page: int = 1, updated_since: datetime | None = None) -> Page[Lead]:
        return await self._get_page("/leads", Lead, page=page, updated_since=updated_since)

    async def log_interaction(
        self, lead_id: int | str, interaction: InteractionInput, *, idempotency_key: str | None = None
    ) -> Interaction:
        data = await self._write(
            "POST", f"/leads/{lead_id}/interactions", interaction, idempotency_key=idempotency_key
        )
        return Interaction.model_validate(data)

    async def list_interactions(self, lead_id: int | str) -> Page[Interaction]:
        return await self._get_page(f"/leads/{lead_id}/interactions", Interaction)

    # clients and contracts
    async def get_client(self, client_id: int | str) -> Client:
        return await self._get_one(f"/clients/{client_id}", Client)

    def clients(self, *, updated_since: datetime | None = None) -> AsyncIterator[Client]:
        return self._iterate("/clients", Client, updated_since=updated_since)

    async def get_contract(self, contract_id: int | str) -> Contract:
        return await self._get_one(f"/contracts/{contract_id}", Contract)

    async def list_contracts(
        self, *, page: int = 1, updated_since: datetime | None = None, status: str | None = None
    ) -> Page[Contract]:
        return await self._get_page(
            "/contracts", Contract, page=page, updated_since=updated_since, status=status
        )

    def contracts(
        self, *, updated_since: datetime | None = None, status: str | None = None
    ) -> AsyncIterator[Contract]:
        """Contracts with their schedules (CRM → Operação hourly, CRM → Financeiro twice a day)."""
        return self._iterate("/contracts", Contract, updated_since=updated_since, status=status)

    # feedback and caregivers
    async def record_feedback(
        self, feedback: FeedbackInput, *, idempotency_key: str | None = None
    ) -> Feedback:
        return Feedback.model_validate(
            await self._write("POST", "/feedback", feedback, idempotency_key=idempotency_key)
        )

    async def upsert_caregiver(
        self, cuidadores_id: int | str, caregiver: CaregiverInput, *, idempotency_key: str | None = None
    ) -> CrmCaregiver:
        data = await self._write(
            "PUT", f"/caregivers/{cuidadores_id}", caregiver, idempotency_key=idempotency_key
        )
        return CrmCaregiver.model_validate(data)
