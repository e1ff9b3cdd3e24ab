from __future__ import annotations

import secrets
from collections.abc import Sequence

from argon2 import PasswordHasher
from argon2.exceptions import VerificationError
from sqlalchemy.ext.asyncio import AsyncSession

from carinho.atendimento.agents.models import Agent, Role, SupportLevel
from carinho.atendimento.agents.repository import AgentRepository
from carinho.errors import Conflict

_hasher = PasswordHasher()


def new_password() -> str:
    return secrets.token_urlsafe(12)


class AgentService:
    async def create(
        self,
        session: AsyncSession,
        *,
        name: str,
        email: str,
        role: Role = Role.agent,
        level: SupportLevel = SupportLevel.n1,
        password: str | None = None,
    ) -> tuple[Agent, str]:
        """Creates an agent; returns it with its initial password (shown once)."""
        repo = AgentRepository(session)
        if await repo.get_by_email(email) is not None:
            raise Conflict(f"já existe um atendente com o e-mail {email}")
        password = password or new_password()
        agent = repo.add(
            Agent(
                name=name.strip(),
                email=email.strip().lower(),
                password_hash=_hasher.hash(password),
                role=role.value,
                level=level.value,
            )
        )
        await session.flush()
        return agent, password

    async def verify_password(self, session: AsyncSession, email: str, password: str) -> Agent | None:
        agent = await AgentRepository(session).get_by_email(email.strip())
        if agent is None or not agent.active:
            return None
        try:
            _hasher.verify(agent.password_hash, password)
        except VerificationError:
            return None
        return agent

    async def list(self, session: AsyncSession) -> Sequence[Agent]:
        return await AgentRepository(session).list_all()

    async def has_supervisor(self, session: AsyncSession) -> bool:
        return await AgentRepository(session).count_with_role(Role.supervisor) > 0


agent_service = AgentService()
