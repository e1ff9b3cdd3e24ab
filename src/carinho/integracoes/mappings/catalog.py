"""The event types and target systems a new mapping pair may name: the types the hub receives or
makes (its webhooks, Z-API's callbacks, the defaults' types such as the syncs'), the Carinho
systems, the defaults' targets, and what the database already names (pairs, outbound endpoints)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from carinho.integracoes.mappings.defaults import DEFAULT_MAPPINGS
from carinho.integracoes.mappings.repository import MappingRepository
from carinho.integracoes.webhook_endpoints.repository import WebhookEndpointRepository
from carinho.integracoes.webhooks.sources import SYSTEM_WEBHOOKS, WHATSAPP_EVENT_TYPES

# The Carinho systems the hub talks to (their names as operators say them).
CARINHO_SYSTEMS = ("crm", "operacao", "financeiro", "cuidadores", "atendimento", "marketing", "documentos")

_EVENT_TYPES = frozenset(
    [hook.event_type for hook in SYSTEM_WEBHOOKS]
    + list(WHATSAPP_EVENT_TYPES.values())
    + [m.event_type for m in DEFAULT_MAPPINGS]
)
_TARGET_SYSTEMS = frozenset(CARINHO_SYSTEMS + tuple(m.target_system for m in DEFAULT_MAPPINGS))


async def known_event_types(session: AsyncSession) -> list[str]:
    return sorted(_EVENT_TYPES | await MappingRepository(session).mapped_event_types())


async def known_target_systems(session: AsyncSession) -> list[str]:
    mapped = await MappingRepository(session).mapped_target_systems()
    endpoints = await WebhookEndpointRepository(session).live_target_systems()
    return sorted(_TARGET_SYSTEMS | mapped | endpoints)
