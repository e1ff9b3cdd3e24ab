from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from carinho.atendimento.agents.models import Agent


class AgentRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    def add(self, agent: Agent) -> Agent:
        self.session.add(agent)
        return agent

    async def get_by_email(self, email: str) -> Agent | None:
        result = await self.session.execute(select(Agent).where(Agent.email == email.lower()))
        return result.scalar_one_or_none()

    async def list_all(self) -> Sequence[Agent]:
        result = await self.session.execute(select(Agent).order_by(Agent.id))
        return result.scalars().all()

    async def count_with_role(self, role: str) -> int:
        result = await self.session.execute(select(func.count()).select_from(Agent).where(Agent.role == role))
        return int(result.scalar_one())
