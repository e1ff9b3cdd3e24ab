"""The satisfaction settings row, created once with the defaults (never overwritten)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from carinho.atendimento.satisfaction.models import SatisfactionSettings
from carinho.atendimento.satisfaction.repository import SatisfactionRepository
from carinho.atendimento.satisfaction.service import SETTINGS_DEFAULTS


async def seed_satisfaction(session: AsyncSession) -> list[str]:
    repo = SatisfactionRepository(session)
    if await repo.settings() is not None:
        return []
    repo.add(SatisfactionSettings(**SETTINGS_DEFAULTS))
    await session.flush()
    return ["configuração da pesquisa de satisfação"]
