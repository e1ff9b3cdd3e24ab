from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from carinho.integracoes.operators.models import ConsoleAudit, Operator, OperatorRole


class OperatorRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    def add(self, operator: Operator) -> Operator:
        self.session.add(operator)
        return operator

    async def get(self, operator_id: int) -> Operator | None:
        return await self.session.get(Operator, operator_id)

    async def get_by_email(self, email: str) -> Operator | None:
        stmt = select(Operator).where(Operator.email == email.strip().lower())
        return (await self.session.execute(stmt)).scalar_one_or_none()

    async def list_all(self) -> Sequence[Operator]:
        return (await self.session.execute(select(Operator).order_by(Operator.name))).scalars().all()

    async def count_active_admins(self) -> int:
        stmt = select(func.count()).where(Operator.active.is_(True), Operator.role == OperatorRole.admin)
        return int((await self.session.execute(stmt)).scalar_one())

    def record(self, entry: ConsoleAudit) -> ConsoleAudit:
        self.session.add(entry)
        return entry

    async def audit(self, *, limit: int = 100, offset: int = 0) -> Sequence[ConsoleAudit]:
        stmt = select(ConsoleAudit).order_by(ConsoleAudit.id.desc()).limit(limit).offset(offset)
        return (await self.session.execute(stmt)).scalars().all()
