from __future__ import annotations

import secrets
from collections.abc import Sequence

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy.ext.asyncio import AsyncSession

from carinho import runtime
from carinho.atendimento.agents.models import Agent, Role, SupportLevel
from carinho.atendimento.agents.repository import AgentRepository
from carinho.config import Environment
from carinho.errors import BadRequest, Conflict, NotFound, Unauthorized
from carinho.kit.clock import utcnow

# Argon2id with argon2-cffi's defaults (RFC 9106, low-memory profile: 64 MiB, 3 passes).
_STANDARD = PasswordHasher()
# Only for a runtime configured with CARINHO_ENV=test: the smallest cost argon2 accepts, so that the
# thousands of agents the tests create and log in cost microseconds instead of a tenth of a second
# each. A hash carries its own parameters, so either hasher verifies the other's hashes.
_CHEAP = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
# Verified when the e-mail is unknown, so a wrong e-mail costs as much time as a wrong password.
_DUMMY_STANDARD = _STANDARD.hash("carinho-dummy-password")
_DUMMY_CHEAP = _CHEAP.hash("carinho-dummy-password")


def _cheap() -> bool:
    return runtime.is_configured() and runtime.current().settings.carinho_env == Environment.test


def _hasher() -> PasswordHasher:
    return _CHEAP if _cheap() else _STANDARD


def _dummy_hash() -> str:
    return _DUMMY_CHEAP if _cheap() else _DUMMY_STANDARD


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
        capacity: int = 10,
        password: str | None = None,
    ) -> tuple[Agent, str]:
        """Creates an agent; returns it with its initial password (shown once)."""
        repo = AgentRepository(session)
        if not name.strip():
            raise BadRequest("Informe o nome do atendente.")
        if await repo.get_by_email(email) is not None:
            raise Conflict(f"Já existe um atendente com o e-mail {email}.")
        if capacity < 1:
            raise BadRequest("A capacidade deve ser de pelo menos 1 conversa.")
        password = password or new_password()
        agent = repo.add(
            Agent(
                name=name.strip(),
                email=email.strip().lower(),
                password_hash=_hasher().hash(password),
                role=Role(role).value,
                level=SupportLevel(level).value,
                capacity=capacity,
                active=True,
                available=True,
                auth_epoch=0,
            )
        )
        await session.flush()
        return agent, password

    async def get(self, session: AsyncSession, agent_id: int) -> Agent:
        agent = await AgentRepository(session).get(agent_id)
        if agent is None:
            raise NotFound(f"Atendente {agent_id} não encontrado.")
        return agent

    async def verify_password(self, session: AsyncSession, email: str, password: str) -> Agent | None:
        agent = await AgentRepository(session).get_by_email(email)
        try:
            _hasher().verify(agent.password_hash if agent else _dummy_hash(), password)
        except (VerificationError, InvalidHashError):
            return None
        if agent is None or not agent.active:
            return None
        return agent

    async def login(self, session: AsyncSession, email: str, password: str) -> Agent:
        agent = await self.verify_password(session, email, password)
        if agent is None:
            raise Unauthorized("E-mail ou senha inválidos.")
        agent.last_login_at = utcnow()
        return agent

    async def logout_everywhere(self, session: AsyncSession, agent: Agent) -> None:
        agent.auth_epoch += 1

    async def update(
        self,
        session: AsyncSession,
        agent: Agent,
        *,
        name: str | None = None,
        role: Role | None = None,
        level: SupportLevel | None = None,
        active: bool | None = None,
        capacity: int | None = None,
        available: bool | None = None,
    ) -> Agent:
        if name is not None:
            if not name.strip():
                raise BadRequest("Informe o nome do atendente.")
            agent.name = name.strip()
        if role is not None:
            agent.role = Role(role).value
        if level is not None:
            agent.level = SupportLevel(level).value
        if capacity is not None:
            if capacity < 1:
                raise BadRequest("A capacidade deve ser de pelo menos 1 conversa.")
            agent.capacity = capacity
        if available is not None:
            agent.available = available
        if active is not None:
            agent.active = active
            if not active:
                agent.auth_epoch += 1  # a deactivated agent's sessions end now
        await session.flush()
        return agent

    async def reset_password(self, session: AsyncSession, agent: Agent) -> str:
        password = new_password()
        agent.password_hash = _hasher().hash(password)
        agent.auth_epoch += 1
        return password

    async def change_password(self, session: AsyncSession, agent: Agent, current: str, new: str) -> None:
        try:
            _hasher().verify(agent.password_hash, current)
        except (VerificationError, InvalidHashError):
            raise BadRequest("A senha atual não confere.") from None
        if len(new) < 10:
            raise BadRequest("A nova senha deve ter pelo menos 10 caracteres.")
        agent.password_hash = _hasher().hash(new)
        agent.auth_epoch += 1

    async def list(self, session: AsyncSession, *, active: bool | None = None) -> Sequence[Agent]:
        return await AgentRepository(session).list_all(active=active)

    async def has_manager(self, session: AsyncSession) -> bool:
        """Whether someone can manage the team (a supervisor or an administrator)."""
        repo = AgentRepository(session)
        return await repo.count_with_role(Role.admin) + await repo.count_with_role(Role.supervisor) > 0


agent_service = AgentService()
