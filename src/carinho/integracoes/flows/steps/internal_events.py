"""Events the hub raises itself (a first WhatsApp contact's `lead.created`, `feedback.requested`,
`feedback.received` from a reply or the link): stored like inbound ones, with their processing job,
in the caller's transaction."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from carinho.integracoes.events.service import NewEvent, event_service, normalize_key


async def raise_event(
    session: AsyncSession, source: str, event_type: str, key: str, payload: dict[str, Any]
) -> int:
    """The event's id (the first one's when this key was raised already)."""
    [result] = await event_service.store_batch(
        session,
        [NewEvent(source=source, event_type=event_type, idempotency_key=normalize_key(key), payload=payload)],
    )
    return result.event_id
