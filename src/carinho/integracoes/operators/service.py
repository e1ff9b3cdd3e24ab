"""Operator accounts: create (initial password shown once), login, password, role, deactivation;
and the console's audit trail."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from carinho.errors import BadRequest, Conflict, Unauthorized
from carinho.integracoes.operators.models import ConsoleAudit, Operator, OperatorRole
from carinho.integracoes.operators.repository import OperatorRepository
from carinho.kit.clock import utcnow
from carinho.kit.login_throttle import LoginGuard
from carinho.kit.passwords import MIN_LENGTH, hash_password, new_password, verify_password


class OperatorService:
    async def create(
        self, session: AsyncSession, *, name: str, email: str, role: OperatorRole
    ) -> tuple[Operator, str]:
        repo = OperatorRepository(session)
        email = email.strip().lower()
        if not name.strip() or "@" not in email:
            raise BadRequest("Informe o nome e um e-mail válido.")
        if await repo.get_by_email(email) is not None:
            raise Conflict(f"Já existe um operador com o e-mail {email}.")
        password = new_password()
        operator = repo.add(
            Operator(
                name=name.strip(), email=email, password_hash=hash_password(password), role=OperatorRole(role)
            )
        )
        await session.flush()
        return operator, password

    async def get(self, session: AsyncSession, operator_id: int) -> Operator:
        return await OperatorRepository(session).get_or_404(
            operator_id, f"Operador {operator_id} não encontrado."
        )

    async def list(self, session: AsyncSession) -> Sequence[Operator]:
        return await OperatorRepository(session).list_all()

    async def has_admin(self, session: AsyncSession) -> bool:
        return await OperatorRepository(session).count_active_admins() > 0

    async def login(
        self, session: AsyncSession, email: str, password: str, guard: LoginGuard | None = None
    ) -> Operator:
        """Failed and throttled logins are audited (the caller commits that row before answering)."""
        throttled = await guard.refusal(email) if guard else None
        if throttled is not None:
            self.audit(session, None, email or "?", "login_throttled", details={"by": throttled.reason})
            raise throttled.error()
        operator = await OperatorRepository(session).get_by_email(email)
        valid = verify_password(operator.password_hash if operator else None, password)
        if operator is None or not valid or not operator.active:
            self.audit(session, None, email or "?", "login_failed")
            if guard is not None:
                await guard.failed(email)
            raise Unauthorized("E-mail ou senha inválidos.")
        if guard is not None:
            await guard.succeeded(email)
        operator.last_login_at = utcnow()
        self.audit(session, operator, operator.email, "login")
        return operator

    async def logout_everywhere(self, session: AsyncSession, operator: Operator) -> None:
        operator.auth_epoch += 1
        self.audit(session, operator, operator.email, "logout")

    async def change_password(
        self, session: AsyncSession, operator: Operator, current: str, new: str
    ) -> None:
        if not verify_password(operator.password_hash, current):
            raise BadRequest("A senha atual não confere.")
        if len(new) < MIN_LENGTH:
            raise BadRequest(f"A nova senha deve ter pelo menos {MIN_LENGTH} caracteres.")
        operator.password_hash = hash_password(new)
        operator.auth_epoch += 1
        self.audit(session, operator, operator.email, "password_changed")

    async def reset_password(self, session: AsyncSession, admin: Operator, operator: Operator) -> str:
        password = new_password()
        operator.password_hash = hash_password(password)
        operator.auth_epoch += 1
        self.audit(session, admin, admin.email, "operator_password_reset", target=operator.email)
        return password

    async def update(
        self,
        session: AsyncSession,
        admin: Operator,
        operator: Operator,
        *,
        role: OperatorRole | None = None,
        active: bool | None = None,
    ) -> Operator:
        demoting = role is not None and role != OperatorRole.admin and operator.role == OperatorRole.admin
        deactivating = active is False and operator.active and operator.role == OperatorRole.admin
        if (demoting or deactivating) and await OperatorRepository(session).count_active_admins() <= 1:
            raise Conflict("É preciso manter pelo menos um administrador ativo.")
        changes: dict[str, Any] = {}
        if role is not None and role != operator.role:
            changes["role"] = [operator.role, role.value]
            operator.role = role.value
        if active is not None and active != operator.active:
            changes["active"] = [operator.active, active]
            operator.active = active
            if not active:
                operator.auth_epoch += 1
        if changes:
            self.audit(
                session, admin, admin.email, "operator_updated", target=operator.email, details=changes
            )
        await session.flush()
        return operator

    def audit(
        self,
        session: AsyncSession,
        operator: Operator | None,
        email: str,
        action: str,
        *,
        target: str | None = None,
        details: dict[str, Any] | None = None,
    ) -> None:
        OperatorRepository(session).record(
            ConsoleAudit(
                operator_id=operator.id if operator else None,
                operator_email=email[:190],
                action=action,
                target=target,
                details=details or {},
            )
        )


operator_service = OperatorService()
