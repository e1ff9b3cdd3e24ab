"""IncidentService: categories, incidents, their status flow, notes and timeline.

Emergencies (report to operação, alerts, banner) live in `emergencies.py`; `report_emergency` and
`acknowledge` here are their public entry points.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from carinho.atendimento.agents.models import Agent
from carinho.atendimento.agents.repository import AgentRepository
from carinho.atendimento.history.actor import Actor
from carinho.atendimento.history.service import Action
from carinho.atendimento.inbox.access import ensure_supervisor
from carinho.atendimento.inbox.models import Contact, Conversation
from carinho.atendimento.inbox.service import inbox_service
from carinho.atendimento.incidents.access import ensure_can_see_incident, incident_visibility_clause
from carinho.atendimento.incidents.models import (
    ALLOWED_TRANSITIONS,
    OPERACAO_CATEGORIES,
    Incident,
    IncidentCategory,
    IncidentEvent,
    IncidentStatus,
    Severity,
    TimelineAction,
)
from carinho.atendimento.incidents.repository import IncidentFilters, IncidentRepository
from carinho.atendimento.incidents.timeline import add_event, audit
from carinho.errors import BadRequest, Conflict, NotFound
from carinho.kit.clock import utcnow

# Fields an agent may change with PATCH (free text and references); status has its own route.
EDITABLE_FIELDS = (
    "title",
    "description",
    "severity",
    "category_id",
    "crm_client_id",
    "caregiver_id",
    "service_id",
)


class IncidentService:
    # ------------------------------------------------------------------ categories

    async def categories(
        self, session: AsyncSession, *, active: bool | None = None
    ) -> Sequence[IncidentCategory]:
        return await IncidentRepository(session).categories(active=active)

    async def category(self, session: AsyncSession, category_id: int) -> IncidentCategory:
        category = await IncidentRepository(session).category(category_id)
        if category is None:
            raise NotFound(f"Categoria de ocorrência {category_id} não encontrada.")
        return category

    async def create_category(
        self,
        session: AsyncSession,
        *,
        code: str,
        name: str,
        default_severity: Severity,
        is_emergency: bool = False,
        operacao_category: str = "outros",
        position: int = 100,
    ) -> IncidentCategory:
        repo = IncidentRepository(session)
        if await repo.category_by_code(code) is not None:
            raise Conflict(f"Já existe uma categoria com o código {code}.")
        _check_operacao_category(operacao_category)
        category = IncidentCategory(
            code=code,
            name=name.strip(),
            default_severity=default_severity.value,
            is_emergency=is_emergency,
            operacao_category=operacao_category,
            active=True,
            position=position,
        )
        repo.add(category)
        await session.flush()
        return category

    async def update_category(
        self, session: AsyncSession, category_id: int, changes: dict[str, Any]
    ) -> IncidentCategory:
        category = await self.category(session, category_id)
        if changes.get("operacao_category") is not None:
            _check_operacao_category(changes["operacao_category"])
        for name in ("name", "default_severity", "is_emergency", "operacao_category", "active", "position"):
            value = changes.get(name)
            if value is None:
                continue
            if name == "name":
                value = str(value).strip()
                if not value:
                    raise BadRequest("O nome da categoria não pode ficar vazio.")
            setattr(category, name, value.value if isinstance(value, Severity) else value)
        await session.flush()
        return category

    async def delete_category(self, session: AsyncSession, category_id: int) -> None:
        category = await self.category(session, category_id)
        if await IncidentRepository(session).category_in_use(category.id):
            raise Conflict("Esta categoria já tem ocorrências: desative-a em vez de excluir.")
        await session.delete(category)
        await session.flush()

    # ------------------------------------------------------------------ reading

    async def get(self, session: AsyncSession, incident_id: int, *, lock: bool = False) -> Incident:
        incident = await IncidentRepository(session).incident(incident_id, lock=lock)
        if incident is None:
            raise NotFound(f"Ocorrência {incident_id} não encontrada.")
        return incident

    async def get_for(
        self, session: AsyncSession, agent: Agent, incident_id: int, *, lock: bool = False
    ) -> Incident:
        """The incident if the agent may see it: 404 when it does not exist, 403 when hidden."""
        incident = await self.get(session, incident_id, lock=lock)
        conversation = (
            await session.get(Conversation, incident.conversation_id) if incident.conversation_id else None
        )
        ensure_can_see_incident(agent, incident, conversation)
        return incident

    async def search(
        self, session: AsyncSession, agent: Agent, filters: IncidentFilters
    ) -> Sequence[Incident]:
        return await IncidentRepository(session).search(filters, incident_visibility_clause(agent))

    async def count(self, session: AsyncSession, agent: Agent, filters: IncidentFilters) -> int:
        return await IncidentRepository(session).count(filters, incident_visibility_clause(agent))

    async def for_conversation(self, session: AsyncSession, conversation: Conversation) -> Sequence[Incident]:
        return await IncidentRepository(session).for_conversation(conversation.id)

    async def timeline(self, session: AsyncSession, incident: Incident) -> Sequence[IncidentEvent]:
        return await IncidentRepository(session).timeline(incident.id)

    # ------------------------------------------------------------------ changes

    async def create(
        self,
        session: AsyncSession,
        agent: Agent,
        *,
        category_id: int | None,
        category_code: str | None,
        title: str,
        description: str | None = None,
        severity: Severity | None = None,
        owner_id: int | None = None,
        conversation_id: int | None = None,
        contact_id: int | None = None,
        crm_client_id: str | None = None,
        caregiver_id: str | None = None,
        service_id: str | None = None,
    ) -> Incident:
        """An incident reported by an agent. One of an emergency category goes the emergency path."""
        category = await self._category_for(session, category_id, category_code)
        if not category.active:
            raise BadRequest(f"A categoria {category.name} está desativada.")
        if not title.strip():
            raise BadRequest("Informe um título para a ocorrência.")
        conversation = None
        if conversation_id is not None:
            conversation = await inbox_service.get_for(session, agent, conversation_id, lock=True)
            contact_id = conversation.contact_id
        elif contact_id is not None and await session.get(Contact, contact_id) is None:
            raise NotFound(f"Contato {contact_id} não encontrado.")
        if category.is_emergency:
            if conversation is None:
                raise BadRequest(
                    "Uma emergência precisa estar ligada a uma conversa (o contato a ser socorrido)."
                )
            from carinho.atendimento.incidents.emergencies import emergency_service

            return await emergency_service.report(
                session,
                conversation,
                category_code=category.code,
                source="agent",
                actor=Actor.of(agent),
                description=description,
                title=title,
                references={
                    "crm_client_id": crm_client_id,
                    "caregiver_id": caregiver_id,
                    "service_id": service_id,
                },
            )
        owner = await self._owner(session, agent, owner_id if owner_id is not None else agent.id)
        now = utcnow()
        incident = Incident(
            category_id=category.id,
            severity=(severity or Severity(category.default_severity)).value,
            title=title.strip()[:200],
            description=description,
            status=IncidentStatus.open.value,
            status_changed_at=now,
            owner_id=owner.id if owner else None,
            created_by_id=agent.id,
            conversation_id=conversation.id if conversation else None,
            contact_id=contact_id,
            crm_client_id=crm_client_id,
            caregiver_id=caregiver_id,
            service_id=service_id,
            is_emergency=False,
            source="agent",
            delivery_attempts=0,
        )
        IncidentRepository(session).add(incident)
        await session.flush()
        actor = Actor.of(agent)
        add_event(session, incident, TimelineAction.opened, actor, note=description)
        audit(
            session,
            Action.incident_opened,
            actor,
            incident,
            after={"status": incident.status, "severity": incident.severity, "category": category.code},
        )
        await session.refresh(incident, attribute_names=["category", "owner"])
        return incident

    async def update(
        self, session: AsyncSession, agent: Agent, incident: Incident, changes: dict[str, Any]
    ) -> Incident:
        """Applies the editable fields given (each checked first), then records what changed."""
        if incident.status == IncidentStatus.closed.value:
            raise Conflict("Ocorrência fechada não pode ser alterada.")
        before: dict[str, Any] = {}
        after: dict[str, Any] = {}
        for name in EDITABLE_FIELDS:
            if name not in changes:
                continue
            value = await self._checked_field(session, incident, name, changes[name])
            if getattr(incident, name) != value:
                before[name], after[name] = getattr(incident, name), value
                setattr(incident, name, value)
        if "owner_id" in changes and changes["owner_id"] != incident.owner_id:
            owner = await self._owner(session, agent, changes["owner_id"])
            before["owner_id"], after["owner_id"] = incident.owner_id, owner.id if owner else None
            incident.owner_id = after["owner_id"]
        if after:
            await session.flush()
            self._record_update(session, Actor.of(agent), incident, before, after)
            await session.refresh(incident, attribute_names=["category", "owner"])
        return incident

    async def _checked_field(self, session: AsyncSession, incident: Incident, name: str, value: Any) -> Any:
        """The value to store for one editable field, or a refusal that says why."""
        if name == "title":
            if value is None or not str(value).strip():
                raise BadRequest("O título não pode ficar vazio.")
            return str(value).strip()[:200]
        if name == "severity":
            if value is None:
                raise BadRequest("Informe a gravidade.")
            severity = Severity(value).value
            if incident.is_emergency and severity != Severity.critical.value:
                raise BadRequest("Uma emergência é sempre de gravidade crítica.")
            return severity
        if name == "category_id":
            if value is None:
                raise BadRequest("Informe a categoria.")
            category = await self.category(session, int(value))
            if category.is_emergency != incident.is_emergency:
                raise BadRequest(
                    "Não é possível trocar entre categoria de emergência e comum: abra uma nova ocorrência."
                )
        return value

    @staticmethod
    def _record_update(
        session: AsyncSession, actor: Actor, incident: Incident, before: dict[str, Any], after: dict[str, Any]
    ) -> None:
        # Free text stays out of the trail and the timeline details: only which fields changed.
        text_fields = {"title", "description"}
        visible_before = {k: v for k, v in before.items() if k not in text_fields}
        visible_after = {k: v for k, v in after.items() if k not in text_fields}
        fields = sorted(after)
        details = {"fields": fields, **visible_after}
        add_event(session, incident, TimelineAction.updated, actor, details=details)
        audit(
            session,
            Action.incident_updated,
            actor,
            incident,
            before=visible_before,
            after=visible_after,
            details={"fields": fields},
        )

    async def change_status(
        self,
        session: AsyncSession,
        actor: Actor,
        incident: Incident,
        status: IncidentStatus,
        *,
        note: str | None = None,
        resolution: str | None = None,
    ) -> Incident:
        current = IncidentStatus(incident.status)
        if status not in ALLOWED_TRANSITIONS[current]:
            allowed = (
                ", ".join(s.label for s in sorted(ALLOWED_TRANSITIONS[current])) or "nenhuma (status final)"
            )
            raise Conflict(
                f"Transição inválida: {current.label} → {status.label}. "
                f"Permitidas a partir daqui: {allowed}.",
                details={"from": current.value, "to": status.value},
            )
        now = utcnow()
        if status is IncidentStatus.resolved:
            if resolution is None or not resolution.strip():
                raise BadRequest("Informe a resolução para resolver a ocorrência.")
            incident.resolution = resolution.strip()
            incident.resolved_at = now
        elif status is IncidentStatus.closed:
            incident.closed_at = now
        elif current is IncidentStatus.resolved:  # reopened
            incident.resolved_at = None
        if incident.is_emergency and incident.conversation_id is not None:
            await self._track_open_emergency(session, incident, status)
        incident.status = status.value
        incident.status_changed_at = now
        await session.flush()
        add_event(
            session,
            incident,
            TimelineAction.status_changed,
            actor,
            note=resolution.strip() if status is IncidentStatus.resolved and resolution else note,
            details={"from": current.value, "to": status.value},
        )
        audit(
            session,
            Action.incident_status_changed,
            actor,
            incident,
            before={"status": current.value},
            after={"status": status.value},
        )
        return incident

    async def add_note(
        self, session: AsyncSession, actor: Actor, incident: Incident, note: str
    ) -> IncidentEvent:
        if not note.strip():
            raise BadRequest("A anotação não pode ficar vazia.")
        event = add_event(session, incident, TimelineAction.note, actor, note=note.strip())
        incident.updated_at = utcnow()
        await session.flush()
        audit(session, Action.incident_updated, actor, incident, details={"note_added": True})
        return event

    # ------------------------------------------------------------------ emergencies

    async def report_emergency(
        self,
        session: AsyncSession,
        conversation: Conversation,
        *,
        category_code: str = "emergencia_saude",
        source: str,
        actor: Actor,
        description: str | None = None,
    ) -> Incident:
        """Open (once per conversation) an emergency and set everything it triggers in motion;
        see `emergencies.EmergencyService.report`."""
        from carinho.atendimento.incidents.emergencies import emergency_service

        return await emergency_service.report(
            session,
            conversation,
            category_code=category_code,
            source=source,
            actor=actor,
            description=description,
        )

    async def acknowledge(self, session: AsyncSession, agent: Agent, incident: Incident) -> Incident:
        from carinho.atendimento.incidents.emergencies import emergency_service

        return await emergency_service.acknowledge(session, agent, incident)

    # ------------------------------------------------------------------ helpers

    async def _category_for(
        self, session: AsyncSession, category_id: int | None, category_code: str | None
    ) -> IncidentCategory:
        repo = IncidentRepository(session)
        if category_id is not None:
            return await self.category(session, category_id)
        if category_code:
            category = await repo.category_by_code(category_code)
            if category is None:
                raise NotFound(f"Categoria de ocorrência {category_code} não encontrada.")
            return category
        raise BadRequest("Informe a categoria (category_id ou category_code).")

    async def _owner(self, session: AsyncSession, agent: Agent, owner_id: int | None) -> Agent | None:
        """The responsible agent: anyone may take an incident; giving it to someone else is a
        supervisor's call."""
        if owner_id is None:
            ensure_supervisor(agent, "deixar a ocorrência sem responsável")
            return None
        if owner_id != agent.id:
            ensure_supervisor(agent, "definir outro responsável pela ocorrência")
        owner = await AgentRepository(session).get(owner_id)
        if owner is None or not owner.active:
            raise NotFound(f"Atendente {owner_id} não encontrado ou inativo.")
        return owner

    async def _track_open_emergency(
        self, session: AsyncSession, incident: Incident, status: IncidentStatus
    ) -> None:
        """Keep the one-open-emergency-per-conversation marker in step with the status."""
        if not status.is_active:
            incident.open_emergency_conversation_id = None
            return
        if incident.open_emergency_conversation_id is not None:
            return
        other = await IncidentRepository(session).open_emergency(incident.conversation_id or 0)
        if other is not None and other.id != incident.id:
            raise Conflict(
                f"A conversa já tem a emergência {other.id} em aberto; continue por ela.",
                details={"open_emergency_id": other.id},
            )
        incident.open_emergency_conversation_id = incident.conversation_id


def _check_operacao_category(value: str) -> None:
    if value not in OPERACAO_CATEGORIES:
        raise BadRequest(f"Categoria da operação inválida: use uma de {', '.join(OPERACAO_CATEGORIES)}.")


incident_service = IncidentService()
