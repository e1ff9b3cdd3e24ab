from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from carinho.atendimento.triage.models import TriageAnswer, TriageChecklist, TriageSession
from carinho.kit.repository import SessionRepository


class TriageRepository(SessionRepository):
    async def checklist(self, checklist_id: int) -> TriageChecklist | None:
        stmt = (
            select(TriageChecklist)
            .options(selectinload(TriageChecklist.questions))
            .where(TriageChecklist.id == checklist_id)
        )
        return (await self.session.execute(stmt)).scalar_one_or_none()

    async def current(self, key: str) -> TriageChecklist | None:
        stmt = (
            select(TriageChecklist)
            .options(selectinload(TriageChecklist.questions))
            .where(TriageChecklist.key == key, TriageChecklist.current.is_(True))
        )
        return (await self.session.execute(stmt)).scalar_one_or_none()

    async def has_checklist(self, key: str) -> bool:
        """Whether any version of the checklist `key` exists."""
        stmt = select(TriageChecklist.id).where(TriageChecklist.key == key)
        return (await self.session.execute(stmt)).first() is not None

    async def versions(self, key: str | None = None) -> Sequence[TriageChecklist]:
        stmt = select(TriageChecklist).options(selectinload(TriageChecklist.questions))
        if key:
            stmt = stmt.where(TriageChecklist.key == key)
        stmt = stmt.order_by(TriageChecklist.key, TriageChecklist.version)
        return (await self.session.execute(stmt)).scalars().all()

    async def latest_version(self, key: str) -> int:
        stmt = select(func.max(TriageChecklist.version)).where(TriageChecklist.key == key)
        return int((await self.session.execute(stmt)).scalar_one() or 0)

    async def sessions_for(self, conversation_id: int) -> Sequence[TriageSession]:
        stmt = (
            select(TriageSession)
            .where(TriageSession.conversation_id == conversation_id)
            .order_by(TriageSession.id)
        )
        return (await self.session.execute(stmt)).scalars().all()

    async def session_for(self, conversation_id: int, checklist_ids: Sequence[int]) -> TriageSession | None:
        stmt = (
            select(TriageSession)
            .where(
                TriageSession.conversation_id == conversation_id,
                TriageSession.checklist_id.in_(checklist_ids),
            )
            .order_by(TriageSession.id.desc())
            .limit(1)
        )
        return (await self.session.execute(stmt)).scalar_one_or_none()

    async def answers(self, session_id: int) -> Sequence[TriageAnswer]:
        stmt = select(TriageAnswer).where(TriageAnswer.session_id == session_id).order_by(TriageAnswer.id)
        return (await self.session.execute(stmt)).scalars().all()
