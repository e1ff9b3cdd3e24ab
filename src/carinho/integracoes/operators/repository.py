from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, select

from carinho.integracoes.operators.models import ConsoleAudit, Operator, OperatorRole
from carinho.kit.repository import Repository


class OperatorRepository(Repository[Operator]):
    model = Operator

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
        stmt = select(ConsoleAudit).order_by(ConsoleAudit.id.desc())
        return await self.page_of(stmt, limit=limit, offset=offset)
