"""Emergencies: an incident that goes to operação at once, alerts every supervisor, raises the
conversation to urgent and N3, tells the customer help is on the way, and shows a banner on the
conversation until someone acknowledges it.

Everything is written in the caller's transaction: the delivery job (outbox), the alert, the
conversation's changes and the WhatsApp message commit together with the incident, or not at all.
"""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from carinho.atendimento.agents.models import Agent, Role, SupportLevel
from carinho.atendimento.history.actor import Actor
from carinho.atendimento.history.service import Action
from carinho.atendimento.inbox.alerts import alert_service
from carinho.atendimento.inbox.models import Contact, Conversation, Priority
from carinho.atendimento.inbox.repository import InboxRepository
from carinho.atendimento.inbox.service import inbox_service
from carinho.atendimento.incidents import ownership
from carinho.atendimento.incidents.delivery import EMERGENCY_JOB, delivery_dedupe_key
from carinho.atendimento.incidents.models import (
    HEALTH_OPERACAO_CATEGORIES,
    OPERACAO_CATEGORIES,
    DeliveryState,
    Incident,
    IncidentCategory,
    IncidentStatus,
    Severity,
    TimelineAction,
)
from carinho.atendimento.incidents.repository import IncidentRepository
from carinho.atendimento.incidents.timeline import add_event, audit
from carinho.connectors.operacao.schemas import EmergencyInput
from carinho.errors import BadRequest, Conflict, NotFound
from carinho.kit.clock import utcnow
from carinho.logging import get_logger
from carinho.worker import enqueue

log = get_logger(__name__)

AUTOMATION_NAME = "emergency"
CUSTOMER_MESSAGE = (
    "Recebemos seu aviso de emergência e nossa equipe de plantão já foi alertada. "
    "Estamos acionando a operação e vamos falar com você em instantes."
)
HEALTH_ADVICE = " Se houver risco à vida, ligue agora para o SAMU: 192."
BANNER_ACTION = "A operação foi acionada; confirme que você está cuidando do caso."


def customer_message(category: IncidentCategory) -> str:
    if category.operacao_category in HEALTH_OPERACAO_CATEGORIES:
        return CUSTOMER_MESSAGE + HEALTH_ADVICE
    return CUSTOMER_MESSAGE


class EmergencyService:
    async def report(
        self,
        session: AsyncSession,
        conversation: Conversation,
        *,
        category_code: str = "emergencia_saude",
        source: str,
        actor: Actor,
        description: str | None = None,
        title: str | None = None,
        references: dict[str, str | None] | None = None,
    ) -> Incident:
        repo = IncidentRepository(session)
        existing = await repo.open_emergency(conversation.id)
        if existing is not None:
            return existing
        category = await repo.category_by_code(category_code)
        if category is None:
            raise NotFound(f"Categoria de ocorrência {category_code} não encontrada.")
        contact = await session.get(Contact, conversation.contact_id)
        if contact is None:
            raise NotFound("Contato da conversa não encontrado.")
        now = utcnow()
        description = (description or "").replace("\x00", "").strip() or None
        incident = Incident(
            category_id=category.id,
            severity=Severity.critical.value,
            title=(title.strip() if title and title.strip() else f"Emergência: {category.name}")[:200],
            description=description,
            status=IncidentStatus.open.value,
            status_changed_at=now,
            owner_id=actor.agent_id,
            created_by_id=actor.agent_id,
            conversation_id=conversation.id,
            contact_id=contact.id,
            is_emergency=True,
            source=source[:64],
            open_emergency_conversation_id=conversation.id,
            operacao_payload=self._payload(conversation, contact, category, description, source, now),
            delivery_state=DeliveryState.pending.value,
            delivery_attempts=0,
            **{k: v for k, v in (references or {}).items() if v is not None},
        )
        try:
            async with session.begin_nested():
                repo.add(incident)
                await session.flush()
        except IntegrityError:
            # Another report of the same conversation won the race.
            existing = await repo.open_emergency(conversation.id, lock=True)
            if existing is not None:
                return existing
            raise Conflict("A emergência desta conversa já está sendo registrada.") from None
        add_event(
            session, incident, TimelineAction.opened, actor, note=description, details={"source": source}
        )
        audit(
            session,
            Action.incident_opened,
            actor,
            incident,
            after={"status": incident.status, "severity": incident.severity, "category": category.code},
            details={"emergency": True, "source": source},
        )
        await enqueue(
            session,
            EMERGENCY_JOB,
            {"incident_id": incident.id, "attempt": 1},
            dedupe_key=delivery_dedupe_key(incident.id, 1),
        )
        alert = await alert_service.raise_alert(
            session,
            kind="emergency",
            severity="critical",
            title=f"Emergência na conversa {conversation.id}: {category.name}",
            details={"incident_id": incident.id, "category": category.code, "source": source},
            conversation_id=conversation.id,
            dedupe_key=f"emergency:incident:{incident.id}",
        )
        incident.alert_id = alert.id
        await inbox_service.change_priority(session, conversation, Priority.urgent, actor)
        await inbox_service.change_level(session, conversation, SupportLevel.n3, actor)
        await ownership.ensure_owner(session, conversation, incident, actor)  # never unowned
        if conversation.is_active:
            from carinho.atendimento.inbox.outbound import outbound_service

            await outbound_service.send_automatic(
                session,
                conversation,
                automation=AUTOMATION_NAME,
                text=customer_message(category),
                template_id=None,
            )
        await session.flush()
        await session.refresh(incident, attribute_names=["category", "owner"])
        log.warning(
            "atendimento.emergency_reported",
            incident_id=incident.id,
            conversation_id=conversation.id,
            category=category.code,
            source=source,
        )
        return incident

    def _payload(
        self,
        conversation: Conversation,
        contact: Contact,
        category: IncidentCategory,
        description: str | None,
        source: str,
        now: Any,
    ) -> dict[str, Any]:
        operacao_category = category.operacao_category
        if operacao_category not in OPERACAO_CATEGORIES:
            operacao_category = "outros"
        text = f"{category.name} (conversa {conversation.id}, origem: {source})"
        if description:
            text += f": {description}"
        emergency = EmergencyInput(
            conversation_id=conversation.id,
            client_phone=contact.phone,
            client_name=contact.name,
            category=operacao_category,
            severity="critica",
            description=text[:5000],
            reported_at=now,
        )
        return emergency.model_dump(mode="json", exclude_none=True)

    async def acknowledge(self, session: AsyncSession, agent: Agent, incident: Incident) -> Incident:
        """Someone took charge: the banner goes away. Acknowledging twice changes nothing."""
        if not incident.is_emergency:
            raise BadRequest("Só emergências precisam ser reconhecidas.")
        if incident.acknowledged_at is not None:
            return incident
        now = utcnow()
        incident.acknowledged_at = now
        incident.acknowledged_by_id = agent.id
        incident.acknowledged_by_name = agent.name[:120]
        actor = Actor.of(agent)
        add_event(session, incident, TimelineAction.emergency_acknowledged, actor)
        audit(session, Action.emergency_acknowledged, actor, incident, after={"acknowledged_by_id": agent.id})
        if incident.alert_id is not None and agent.has_role(Role.supervisor):
            with contextlib.suppress(NotFound):  # the alert was purged; the incident is what counts
                await alert_service.acknowledge(session, agent, incident.alert_id)
        if incident.conversation_id is not None and incident.open_emergency_conversation_id is not None:
            conversation = await InboxRepository(session).conversation(incident.conversation_id, lock=True)
            if conversation is not None:  # nobody owned it: whoever took charge owns it now
                await ownership.take_on_acknowledge(session, agent, conversation, incident)
        await session.flush()
        return incident

    async def redeliver(self, session: AsyncSession, agent: Agent, incident: Incident) -> Incident:
        """A new series of attempts for an emergency whose delivery gave up (`failed`)."""
        if not incident.is_emergency or incident.operacao_payload is None:
            raise BadRequest("Só emergências são enviadas à operação.")
        if incident.delivery_state != DeliveryState.failed.value:
            state = DeliveryState(incident.delivery_state or DeliveryState.pending.value)
            raise Conflict(f"Só um envio que falhou pode ser refeito; esta emergência está: {state.label}.")
        incident.delivery_state = DeliveryState.pending.value
        attempt = incident.delivery_attempts + 1
        await enqueue(
            session,
            EMERGENCY_JOB,
            {"incident_id": incident.id, "attempt": attempt},
            dedupe_key=delivery_dedupe_key(incident.id, attempt),
        )
        actor = Actor.of(agent)
        add_event(session, incident, TimelineAction.emergency_redelivery, actor, details={"attempt": attempt})
        audit(session, Action.incident_updated, actor, incident, details={"redelivery": attempt})
        await session.flush()
        return incident

    async def open_for(self, session: AsyncSession, conversation: Conversation) -> Incident | None:
        return await IncidentRepository(session).open_emergency(conversation.id)

    async def banner(self, session: AsyncSession, conversation: Conversation) -> Sequence[Incident]:
        """The emergencies of this conversation nobody has acknowledged yet."""
        return await IncidentRepository(session).unacknowledged_emergencies(conversation.id)


def banner_text(incident: Incident) -> str:
    """'Emergência de saúde em andamento.' — or 'Emergência em andamento: Queda/acidente.' for a
    category whose name does not say it is one."""
    name = incident.category.name
    if name.lower().startswith("emergência"):
        what = f"{name} em andamento."
    else:
        what = f"Emergência em andamento: {name}."
    return f"{what} {BANNER_ACTION}"


emergency_service = EmergencyService()
