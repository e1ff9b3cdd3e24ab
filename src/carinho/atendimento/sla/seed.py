"""Default SLA policies and alert thresholds (created when missing, never overwritten)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from carinho.atendimento.sla import operational
from carinho.atendimento.sla.models import SlaPolicy
from carinho.atendimento.sla.repository import SlaRepository
from carinho.atendimento.sla.service import DEFAULT_POLICIES


async def seed_sla(session: AsyncSession) -> list[str]:
    repo = SlaRepository(session)
    existing = {p.priority for p in await repo.policies()}
    created: list[str] = []
    for priority, values in DEFAULT_POLICIES.items():
        if priority.value not in existing:
            repo.add(SlaPolicy(priority=priority.value, **values.__dict__))
            created.append(f"sla_policy:{priority.value}")
    if await repo.alert_settings() is None:
        await operational.alert_settings(session)
        created.append("sla_alert_settings")
    await session.flush()
    return created
