"""Cuidadores client: caregivers and their updates, feedback about them (docs/contratos/cuidadores.md)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime

from carinho.connectors.base import Page, SystemClient
from carinho.connectors.cuidadores.schemas import Caregiver, CaregiverFeedback, CaregiverFeedbackInput


class CuidadoresClient(SystemClient):
    system = "cuidadores"

    async def get_caregiver(self, caregiver_id: int | str) -> Caregiver:
        return await self._get_one(f"/caregivers/{caregiver_id}", Caregiver)

    async def list_caregivers(
        self, *, page: int = 1, updated_since: datetime | None = None, status: str | None = None
    ) -> Page[Caregiver]:
        return await self._get_page(
            "/caregivers", Caregiver, page=page, updated_since=updated_since, status=status
        )

    def caregivers(self, *, updated_since: datetime | None = None) -> AsyncIterator[Caregiver]:
        """Caregivers changed since the watermark (sync Cuidadores → CRM every 4 h)."""
        return self._iterate("/caregivers", Caregiver, updated_since=updated_since)

    async def record_feedback(
        self, caregiver_id: int | str, feedback: CaregiverFeedbackInput, *, idempotency_key: str | None = None
    ) -> CaregiverFeedback:
        data = await self._write(
            "POST", f"/caregivers/{caregiver_id}/feedback", feedback, idempotency_key=idempotency_key
        )
        return CaregiverFeedback.model_validate(data)
