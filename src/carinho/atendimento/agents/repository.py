from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select

from carinho.atendimento.agents.models import Agent, Role
from carinho.kit.repository import Repository


class AgentRepository(Repository[Agent]):
    model = Agent

    async def get_by_email(self, email: str) -> Agent | None:
        result = await self.session.execute(select(Agent).where(Agent.email == email.strip().lower()))
        return result.scalar_one_or_none()

    async def list_all(self, *, active: bool | None = None) -> Sequence[Agent]:
        stmt = select(Agent).order_by(Agent.id)
        if active is not None:
            stmt = stmt.where(Agent.active == active)
        return (await self.session.execute(stmt)).scalars().all()

    async def count_with_role(self, role: str) -> int:
        return await self.count(Agent.role == role)

    async def count_active_admins(self) -> int:
        """Locks the active administrators' rows (server databases) so that two simultaneous
        demotions cannot both see another administrator left."""
        stmt = (
            select(Agent.id).where(Agent.role == Role.admin.value, Agent.active.is_(True)).with_for_update()
        )
        return len((await self.session.execute(stmt)).scalars().all())

    async def active_supervisors_and_admins(self) -> Sequence[Agent]:
        stmt = (
            select(Agent)
            .where(Agent.active.is_(True), Agent.role.in_([Role.supervisor.value, Role.admin.value]))
            .order_by(Agent.id)
        )
        return (await self.session.execute(stmt)).scalars().all()

    async def active_and_available(self, *, exclude: int | None = None) -> Sequence[Agent]:
        stmt = select(Agent).where(Agent.active.is_(True), Agent.available.is_(True))
        if exclude is not None:
            stmt = stmt.where(Agent.id != exclude)
        return (await self.session.execute(stmt)).scalars().all()

    async def candidates_for_level(self, level: str) -> Sequence[Agent]:
        """Active, available attendants (role agent) of a level, least recently assigned first
        (round-robin order). Supervisors and administrators only take conversations by hand."""
        stmt = (
            select(Agent)
            .where(
                Agent.active.is_(True),
                Agent.available.is_(True),
                Agent.level == level,
                Agent.role == Role.agent.value,
            )
            .order_by(Agent.last_assigned_at.is_not(None), Agent.last_assigned_at, Agent.id)
        )
        return (await self.session.execute(stmt)).scalars().all()
