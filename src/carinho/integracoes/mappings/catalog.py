"""The event types and target systems a new mapping pair may name: the types the hub receives or
makes (its webhooks, Z-API's callbacks, the defaults' types such as the syncs'), the Carinho
systems, the defaults' targets, and what the database already names (pairs, outbound endpoints)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from carinho.integracoes.mappings.defaults import DEFAULT_MAPPINGS
from carinho.integracoes.mappings.models import MappingVersion
from carinho.integracoes.webhook_endpoints.models import WebhookEndpoint
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
    mapped = await session.execute(select(MappingVersion.event_type).distinct())
    return sorted(_EVENT_TYPES | set(mapped.scalars()))


async def known_target_systems(session: AsyncSession) -> list[str]:
    mapped = await session.execute(select(MappingVersion.target_system).distinct())
    endpoints = await session.execute(
        select(WebhookEndpoint.target_system).where(WebhookEndpoint.deleted_at.is_(None)).distinct()
    )
    return sorted(_TARGET_SYSTEMS | set(mapped.scalars()) | set(endpoints.scalars()))
