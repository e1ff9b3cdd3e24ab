"""The personal data incidents hold: free text (title, description, resolution, timeline notes)
and the copy of the contact's phone and name sent to operação. Registered with the retention
package so data-subject requests and the retention job reach it.

Scrubbing keeps every row, its category, severity, status and timestamps (the figures and the
audit trail still count them); retention only touches incidents that are no longer active.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from carinho.atendimento.incidents.models import Incident
from carinho.atendimento.incidents.repository import IncidentRepository
from carinho.atendimento.retention.registry import register
from carinho.kit.clock import utcnow

SCRUBBED_TITLE = "Ocorrência anonimizada"
SCRUBBED_TEXT = "[dados removidos]"


class IncidentPersonalData:
    name = "incidents"

    async def export(self, session: AsyncSession, contact_ids: list[int]) -> list[dict[str, Any]]:
        repo = IncidentRepository(session)
        incidents = await repo.for_contacts(contact_ids)
        events = await repo.events_of([i.id for i in incidents])
        out = []
        for incident in incidents:
            out.append(
                {
                    "id": incident.id,
                    "category": incident.category.code,
                    "category_name": incident.category.name,
                    "severity": incident.severity,
                    "status": incident.status,
                    "title": incident.title,
                    "description": incident.description,
                    "resolution": incident.resolution,
                    "conversation_id": incident.conversation_id,
                    "crm_client_id": incident.crm_client_id,
                    "caregiver_id": incident.caregiver_id,
                    "service_id": incident.service_id,
                    "is_emergency": incident.is_emergency,
                    "operacao_protocol": incident.operacao_protocol,
                    "created_at": incident.created_at.isoformat(),
                    "resolved_at": incident.resolved_at.isoformat() if incident.resolved_at else None,
                    "closed_at": incident.closed_at.isoformat() if incident.closed_at else None,
                    "timeline": [
                        {
                            "action": e.action,
                            "actor": e.actor_name,
                            "note": e.note,
                            "created_at": e.created_at.isoformat(),
                        }
                        for e in events
                        if e.incident_id == incident.id
                    ],
                }
            )
        return out

    async def erase(self, session: AsyncSession, contact_ids: list[int]) -> int:
        incidents = await IncidentRepository(session).for_contacts(contact_ids)
        changed = await self._scrub_text(session, incidents)
        changed += self._scrub_contact(incidents)
        await session.flush()
        return changed

    async def anonymise_before(self, session: AsyncSession, data_class: str, before: datetime) -> int:
        repo = IncidentRepository(session)
        if data_class == "message_text":
            changed = await self._scrub_text(
                session, await repo.finished_before(before, unscrubbed=Incident.text_scrubbed_at)
            )
        elif data_class == "contact_data":
            changed = self._scrub_contact(
                await repo.finished_before(before, unscrubbed=Incident.contact_scrubbed_at)
            )
        else:
            return 0
        await session.flush()
        return changed

    async def _scrub_text(self, session: AsyncSession, incidents: Sequence[Incident]) -> int:
        """Title, description, resolution and notes (also the description sent to operação)."""
        targets = [i for i in incidents if i.text_scrubbed_at is None]
        events = await IncidentRepository(session).events_of([i.id for i in targets])
        now = utcnow()
        for incident in targets:
            incident.title = SCRUBBED_TITLE
            incident.description = None
            incident.resolution = SCRUBBED_TEXT if incident.resolution else None
            incident.text_scrubbed_at = now
            if incident.operacao_payload:
                incident.operacao_payload = {**incident.operacao_payload, "description": SCRUBBED_TEXT}
        for event in events:
            event.note = None
        return len(targets)

    def _scrub_contact(self, incidents: Sequence[Incident]) -> int:
        """The phone and name copied into what was sent to operação."""
        targets = [i for i in incidents if i.contact_scrubbed_at is None]
        now = utcnow()
        for incident in targets:
            if incident.operacao_payload:
                payload = {k: v for k, v in incident.operacao_payload.items() if k != "client_name"}
                incident.operacao_payload = {**payload, "client_phone": ""}
            incident.contact_scrubbed_at = now
        return len(targets)


incident_personal_data = register(IncidentPersonalData())
