from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from carinho.atendimento.agents.models import Agent, Role, SupportLevel
from carinho.atendimento.agents.repository import AgentRepository
from carinho.atendimento.history.actor import Actor
from carinho.atendimento.history.service import Action, history_service
from carinho.errors import BadRequest, Conflict, Unauthorized
from carinho.kit.clock import utcnow
from carinho.kit.login_throttle import LoginGuard
from carinho.kit.passwords import MIN_LENGTH, hash_password, new_password, verify_password


def _profile(agent: Agent) -> dict[str, Any]:
    """What an audited change of an agent compares (never the password hash)."""
    return {
        "name": agent.name,
        "email": agent.email,
        "role": agent.role,
        "level": agent.level,
        "capacity": agent.capacity,
        "active": agent.active,
    }


def _target(agent: Agent) -> dict[str, Any]:
    return {"agent_id": agent.id, "agent_name": agent.name}


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
        actor: Actor | None = None,
    ) -> tuple[Agent, str]:
        """Creates an agent; returns it with its initial password (shown once). Audited, by `actor`
        (an administrator, the command line) or the system (the first start)."""
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
                password_hash=hash_password(password),
                role=Role(role).value,
                level=SupportLevel(level).value,
                capacity=capacity,
                active=True,
                available=True,
                auth_epoch=0,
            )
        )
        await session.flush()
        history_service.record(
            session,
            Action.agent_created,
            actor or Actor.system(),
            after=_profile(agent),
            details=_target(agent),
        )
        return agent, password

    async def get(self, session: AsyncSession, agent_id: int) -> Agent:
        return await AgentRepository(session).get_or_404(agent_id, f"Atendente {agent_id} não encontrado.")

    async def verify_password(self, session: AsyncSession, email: str, password: str) -> Agent | None:
        agent = await AgentRepository(session).get_by_email(email)
        if not verify_password(agent.password_hash if agent else None, password):
            return None
        if agent is None or not agent.active:
            return None
        return agent

    async def login(
        self, session: AsyncSession, email: str, password: str, guard: LoginGuard | None = None
    ) -> Agent:
        """A successful login and a failed or throttled one are all audited; the caller commits the
        refusal's entry before answering 401/429 (the request's transaction would roll it back)."""
        throttled = await guard.refusal(email) if guard else None
        if throttled is not None:
            await self._audit_login_refused(session, email, f"throttled_{throttled.reason}")
            raise throttled.error()
        agent = await self.verify_password(session, email, password)
        if agent is None:
            await self._audit_login_refused(session, email, "invalid")
            if guard is not None:
                await guard.failed(email)
            raise Unauthorized("E-mail ou senha inválidos.")
        if guard is not None:
            await guard.succeeded(email)
        agent.last_login_at = utcnow()
        history_service.record(session, Action.login, Actor.of(agent))
        return agent

    async def _audit_login_refused(self, session: AsyncSession, email: str, reason: str) -> Agent | None:
        known = await AgentRepository(session).get_by_email(email.strip().lower()) if email else None
        if reason == "invalid" and known is not None and not known.active:
            reason = "inactive"
        history_service.record(
            session,
            Action.login_failed,
            Actor.of(known) if known else Actor.system(),
            details={"email": email.strip().lower()[:190], "reason": reason},
        )
        return known

    async def logout_everywhere(self, session: AsyncSession, agent: Agent) -> None:
        agent.auth_epoch += 1
        history_service.record(session, Action.logout, Actor.of(agent))

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
        actor: Actor | None = None,
    ) -> Agent:
        """Changes an agent. With `actor` (an administrator's change), audited: role, level and
        activation each as their own action, other fields as `agent.updated`. A pause (`available`)
        is not an audited change. An administrator cannot deactivate or demote themselves (the team
        would be left without whoever can undo it)."""
        demoting = role is not None and Role(role) != agent.role_enum
        if (
            agent.role_enum is Role.admin
            and agent.active
            and (active is False or demoting)
            and await AgentRepository(session).count_active_admins() <= 1
        ):
            raise Conflict(
                "É preciso manter pelo menos um administrador ativo: promova outra pessoa a "
                "administrador antes de mudar o papel ou desativar esta conta."
            )
        if actor is not None and actor.id == agent.id and (active is False or demoting):
            raise BadRequest("Você não pode desativar a própria conta nem mudar o próprio papel.")
        before = _profile(agent)
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
        if actor is not None:
            self._audit_changes(session, actor, agent, before)
        return agent

    def _audit_changes(
        self, session: AsyncSession, actor: Actor, agent: Agent, before: dict[str, Any]
    ) -> None:
        after = _profile(agent)
        changed = {k for k in after if after[k] != before[k]}
        specific = {
            "role": Action.agent_role_changed,
            "level": Action.agent_level_changed,
            "active": Action.agent_reactivated if agent.active else Action.agent_deactivated,
        }
        for field, action in specific.items():
            if field in changed:
                history_service.record(
                    session,
                    action,
                    actor,
                    before={field: before[field]},
                    after={field: after[field]},
                    details=_target(agent),
                )
        rest = sorted(changed - specific.keys())
        if rest:
            history_service.record(
                session,
                Action.agent_updated,
                actor,
                before={k: before[k] for k in rest},
                after={k: after[k] for k in rest},
                details=_target(agent),
            )

    async def reset_password(self, session: AsyncSession, agent: Agent, actor: Actor | None = None) -> str:
        password = new_password()
        agent.password_hash = hash_password(password)
        agent.auth_epoch += 1
        history_service.record(
            session, Action.password_reset, actor or Actor.system(), details=_target(agent)
        )
        return password

    async def change_password(self, session: AsyncSession, agent: Agent, current: str, new: str) -> None:
        if not verify_password(agent.password_hash, current):
            raise BadRequest("A senha atual não confere.")
        if len(new) < MIN_LENGTH:
            raise BadRequest("A nova senha deve ter pelo menos 10 caracteres.")
        agent.password_hash = hash_password(new)
        agent.auth_epoch += 1
        history_service.record(session, Action.password_changed, Actor.of(agent), details=_target(agent))

    async def list(self, session: AsyncSession, *, active: bool | None = None) -> Sequence[Agent]:
        return await AgentRepository(session).list_all(active=active)

    async def has_manager(self, session: AsyncSession) -> bool:
        """Whether someone can manage the team (a supervisor or an administrator)."""
        repo = AgentRepository(session)
        return await repo.count_with_role(Role.admin) + await repo.count_with_role(Role.supervisor) > 0


agent_service = AgentService()
