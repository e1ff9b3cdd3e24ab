from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import case, func, or_, select
from sqlalchemy.orm import selectinload

from carinho.atendimento.agents.models import Agent
from carinho.atendimento.inbox.models import Conversation
from carinho.atendimento.incidents.models import (
    ACTIVE_INCIDENT_STATUSES,
    Incident,
    IncidentCategory,
    IncidentEvent,
    IncidentStatus,
    Severity,
)
from carinho.kit.repository import SessionRepository

# What a list can be sorted by (the id breaks ties, in the same direction).
SORT_KEYS = ("id", "title", "severity", "status", "owner", "created_at")
_SEVERITY_RANK = {s.value: n for n, s in enumerate(Severity)}  # low … critical
_STATUS_RANK = {s.value: n for n, s in enumerate(IncidentStatus)}  # open … closed


@dataclass
class IncidentFilters:
    status: list[str] | None = None
    severity: list[str] | None = None
    category_code: str | None = None
    owner_id: int | None = None
    conversation_id: int | None = None
    is_emergency: bool | None = None
    # Keyset pagination, newest first: only incidents with a smaller id than the cursor.
    before_id: int | None = None
    limit: int = 50
    # Or another order (one of SORT_KEYS) with offset pages (the supervisors' table).
    sort: str = "id"
    descending: bool = True
    offset: int = 0


@dataclass(frozen=True)
class OpenEmergency:
    incident_id: int
    conversation_id: int | None
    category: str
    opened_at: datetime
    acknowledged_at: datetime | None
    assignee_id: int | None
    assignee_name: str | None


class IncidentRepository(SessionRepository):
    # --- categories
    async def categories(self, *, active: bool | None = None) -> Sequence[IncidentCategory]:
        stmt = select(IncidentCategory).order_by(IncidentCategory.position, IncidentCategory.id)
        if active is not None:
            stmt = stmt.where(IncidentCategory.active.is_(active))
        return (await self.session.execute(stmt)).scalars().all()

    async def category_codes(self) -> set[str]:
        return set((await self.session.execute(select(IncidentCategory.code))).scalars())

    async def category(self, category_id: int) -> IncidentCategory | None:
        return await self.session.get(IncidentCategory, category_id)

    async def category_by_code(self, code: str) -> IncidentCategory | None:
        stmt = select(IncidentCategory).where(IncidentCategory.code == code)
        return (await self.session.execute(stmt)).scalar_one_or_none()

    async def category_in_use(self, category_id: int) -> bool:
        stmt = select(Incident.id).where(Incident.category_id == category_id).limit(1)
        return (await self.session.execute(stmt)).first() is not None

    # --- incidents
    def _with_relations(self) -> Any:
        return select(Incident).options(selectinload(Incident.category), selectinload(Incident.owner))

    async def incident(self, incident_id: int, *, lock: bool = False) -> Incident | None:
        stmt = self._with_relations().where(Incident.id == incident_id)
        if lock:
            stmt = self.locked(stmt, of=Incident)
        return (await self.session.execute(stmt)).scalar_one_or_none()

    async def open_emergency(self, conversation_id: int, *, lock: bool = False) -> Incident | None:
        """The conversation's active emergency. `lock` reads the latest committed row (a locking
        read), which MariaDB's repeatable-read snapshot would otherwise hide after a lost race."""
        stmt = self._with_relations().where(Incident.open_emergency_conversation_id == conversation_id)
        if lock:
            stmt = self.locked(stmt, of=Incident)
        return (await self.session.execute(stmt)).scalar_one_or_none()

    def _filtered(self, stmt: Any, filters: IncidentFilters, visibility: Any | None) -> Any:
        if visibility is not None:
            stmt = stmt.where(visibility)
        if filters.status:
            stmt = stmt.where(Incident.status.in_(filters.status))
        if filters.severity:
            stmt = stmt.where(Incident.severity.in_(filters.severity))
        if filters.category_code:
            stmt = stmt.where(
                Incident.category_id.in_(
                    select(IncidentCategory.id).where(IncidentCategory.code == filters.category_code)
                )
            )
        if filters.owner_id is not None:
            stmt = stmt.where(Incident.owner_id == filters.owner_id)
        if filters.conversation_id is not None:
            stmt = stmt.where(Incident.conversation_id == filters.conversation_id)
        if filters.is_emergency is not None:
            stmt = stmt.where(Incident.is_emergency.is_(filters.is_emergency))
        if filters.before_id is not None:
            stmt = stmt.where(Incident.id < filters.before_id)
        return stmt

    async def search(self, filters: IncidentFilters, visibility: Any | None) -> Sequence[Incident]:
        stmt = self._filtered(self._with_relations(), filters, visibility)
        key: Any = {
            "id": Incident.id,
            "title": Incident.title,
            "severity": case(_SEVERITY_RANK, value=Incident.severity, else_=-1),
            "status": case(_STATUS_RANK, value=Incident.status, else_=-1),
            "created_at": Incident.created_at,
        }.get(filters.sort)
        if filters.sort == "owner":
            # Without an owner last either way (NULLS LAST is not MariaDB's).
            stmt = stmt.outerjoin(Agent, Agent.id == Incident.owner_id)
            stmt = stmt.order_by(Agent.id.is_(None), Agent.name.desc() if filters.descending else Agent.name)
        elif key is not None and filters.sort != "id":
            stmt = stmt.order_by(key.desc() if filters.descending else key)
        stmt = stmt.order_by(Incident.id.desc() if filters.descending else Incident.id)
        return (await self.session.execute(stmt.offset(filters.offset).limit(filters.limit))).scalars().all()

    async def count(self, filters: IncidentFilters, visibility: Any | None) -> int:
        stmt = self._filtered(select(func.count()).select_from(Incident), filters, visibility)
        return int((await self.session.execute(stmt)).scalar_one())

    async def for_conversation(self, conversation_id: int) -> Sequence[Incident]:
        stmt = self._with_relations().where(Incident.conversation_id == conversation_id)
        return (await self.session.execute(stmt.order_by(Incident.id.desc()))).scalars().all()

    async def unacknowledged_emergencies(self, conversation_id: int) -> Sequence[Incident]:
        stmt = self._with_relations().where(
            Incident.conversation_id == conversation_id,
            Incident.is_emergency.is_(True),
            Incident.acknowledged_at.is_(None),
            Incident.status.in_(ACTIVE_INCIDENT_STATUSES),
        )
        return (await self.session.execute(stmt.order_by(Incident.id))).scalars().all()

    async def timeline(self, incident_id: int) -> Sequence[IncidentEvent]:
        stmt = (
            select(IncidentEvent)
            .where(IncidentEvent.incident_id == incident_id)
            .order_by(IncidentEvent.created_at, IncidentEvent.id)
        )
        return (await self.session.execute(stmt)).scalars().all()

    # --- metrics
    async def active_by_severity(self) -> dict[str, int]:
        stmt = (
            select(Incident.severity, func.count())
            .where(Incident.status.in_(ACTIVE_INCIDENT_STATUSES))
            .group_by(Incident.severity)
        )
        return {str(severity): int(n) for severity, n in await self.session.execute(stmt)}

    async def count_emergencies(self, *, unacknowledged: bool = False, undelivered: bool = False) -> int:
        stmt = select(func.count()).select_from(Incident).where(Incident.is_emergency.is_(True))
        if unacknowledged:
            stmt = stmt.where(
                Incident.acknowledged_at.is_(None), Incident.status.in_(ACTIVE_INCIDENT_STATUSES)
            )
        if undelivered:
            stmt = stmt.where(Incident.delivery_state != "delivered")
        return int((await self.session.execute(stmt)).scalar_one())

    async def open_emergencies(self, limit: int = 20) -> list[OpenEmergency]:
        """The emergencies still open, most pressing first: those whose conversation nobody owns,
        then those nobody acknowledged, then the oldest."""
        unowned = Conversation.assignee_id.is_(None)
        stmt = (
            select(
                Incident.id,
                Incident.conversation_id,
                IncidentCategory.name,
                Incident.created_at,
                Incident.acknowledged_at,
                Conversation.assignee_id,
                Agent.name,
            )
            .join(IncidentCategory, IncidentCategory.id == Incident.category_id)
            .join(Conversation, Conversation.id == Incident.open_emergency_conversation_id)
            .outerjoin(Agent, Agent.id == Conversation.assignee_id)
            .where(Incident.open_emergency_conversation_id.is_not(None))
            .order_by(
                case((unowned, 0), else_=1),
                case((Incident.acknowledged_at.is_(None), 0), else_=1),
                Incident.created_at,
                Incident.id,
            )
            .limit(limit)
        )
        return [OpenEmergency(*row) for row in (await self.session.execute(stmt)).all()]

    async def count_unowned_emergencies(self) -> int:
        stmt = (
            select(func.count())
            .select_from(Incident)
            .join(Conversation, Conversation.id == Incident.open_emergency_conversation_id)
            .where(Incident.open_emergency_conversation_id.is_not(None), Conversation.assignee_id.is_(None))
        )
        return int((await self.session.execute(stmt)).scalar_one())

    # --- personal data
    async def for_contacts(self, contact_ids: list[int]) -> Sequence[Incident]:
        stmt = self._with_relations().where(
            or_(
                Incident.contact_id.in_(contact_ids),
                Incident.conversation_id.in_(
                    select(Conversation.id).where(Conversation.contact_id.in_(contact_ids))
                ),
            )
        )
        return (await self.session.execute(stmt.order_by(Incident.id))).scalars().all()

    async def finished_before(self, before: datetime, *, unscrubbed: Any) -> Sequence[Incident]:
        """Incidents no longer active, created before `before`, whose `unscrubbed` marker column
        (Incident.text_scrubbed_at or .contact_scrubbed_at) is still empty."""
        stmt = select(Incident).where(
            Incident.created_at < before,
            Incident.status.not_in(ACTIVE_INCIDENT_STATUSES),
            unscrubbed.is_(None),
        )
        return (await self.session.execute(stmt.order_by(Incident.id))).scalars().all()

    async def events_of(self, incident_ids: list[int]) -> Sequence[IncidentEvent]:
        if not incident_ids:
            return []
        stmt = select(IncidentEvent).where(IncidentEvent.incident_id.in_(incident_ids))
        return (await self.session.execute(stmt.order_by(IncidentEvent.id))).scalars().all()
