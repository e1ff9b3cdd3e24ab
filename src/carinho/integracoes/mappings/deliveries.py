"""Outbound webhook deliveries carry the active mapping's output for the endpoint's target system
(e.g. `payment.received` → `crm`), or the event's own payload when that pair has no mapping."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from carinho.integracoes.deliveries.service import register_payload_mapper
from carinho.integracoes.events.models import IntegrationEvent
from carinho.integracoes.mappings.engine import MappingError
from carinho.integracoes.mappings.service import MappingMissing, event_meta, mapping_service
from carinho.logging import get_logger

log = get_logger(__name__)


async def delivery_payload(
    session: AsyncSession, event: IntegrationEvent, target_system: str, payload: dict[str, Any]
) -> dict[str, Any]:
    meta = event_meta(event.id, event.event_type, event.source, event.created_at.isoformat())
    try:
        output, _ = await mapping_service.render(
            session, event.event_type, target_system, payload, event=meta
        )
    except MappingMissing:
        return payload
    except MappingError as exc:
        # The subscriber still gets the event, as stored; the broken version shows in the log.
        log.warning("mapping.delivery_failed", event_id=event.id, system=target_system, error=str(exc)[:300])
        return payload
    if not isinstance(output, dict):
        return payload
    return output


register_payload_mapper("mappings", delivery_payload)
