"""Queries that find everything held about one person (a data subject): their contacts, and the
conversations, messages, labels, triage, funnel, documents and audit entries of those contacts."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Table, func, or_, select
from sqlalchemy.orm import selectinload

from carinho.atendimento import models as atendimento_models
from carinho.atendimento.funnel.models import DocumentDispatch, DocumentKind, FunnelStage, FunnelTransition
from carinho.atendimento.history.models import HistoryEntry
from carinho.atendimento.inbox.models import ACTIVE_STATUSES, Contact, Conversation, Message
from carinho.atendimento.triage.models import TriageAnswer, TriageQuestion, TriageSession
from carinho.kit.repository import SessionRepository

OPEN_INCIDENT_STATUSES = ("open", "in_progress")


class SubjectRepository(SessionRepository):
    # --- who
    async def contacts_by_phones(self, phones: Sequence[str]) -> Sequence[Contact]:
        stmt = select(Contact).where(Contact.phone.in_(phones)).order_by(Contact.id)
        return (await self.session.execute(stmt)).scalars().all()

    async def contacts_by_email(self, email: str) -> Sequence[Contact]:
        """Contacts with this e-mail, and those a document was e-mailed to at this address."""
        lowered = email.lower()
        emailed = (
            select(Conversation.contact_id)
            .join(DocumentDispatch, DocumentDispatch.conversation_id == Conversation.id)
            .where(func.lower(DocumentDispatch.email) == lowered)
        )
        stmt = (
            select(Contact)
            .where(or_(func.lower(Contact.email) == lowered, Contact.id.in_(emailed.scalar_subquery())))
            .order_by(Contact.id)
        )
        return (await self.session.execute(stmt)).scalars().all()

    # --- what
    async def conversations(self, contact_ids: Sequence[int]) -> Sequence[Conversation]:
        stmt = (
            select(Conversation)
            .options(selectinload(Conversation.labels), selectinload(Conversation.assignee))
            .where(Conversation.contact_id.in_(contact_ids))
            .order_by(Conversation.id)
        )
        return (await self.session.execute(stmt)).scalars().all()

    async def messages(self, conversation_ids: Sequence[int]) -> Sequence[Message]:
        stmt = (
            select(Message)
            .where(Message.conversation_id.in_(conversation_ids))
            .order_by(Message.conversation_id, Message.created_at, Message.id)
        )
        return (await self.session.execute(stmt)).scalars().all()

    async def triage_answers(self, conversation_ids: Sequence[int]) -> Sequence[Any]:
        stmt = (
            select(
                TriageSession.conversation_id,
                TriageSession.status,
                TriageSession.outcome,
                TriageQuestion.code,
                TriageQuestion.text,
                TriageAnswer.value,
                TriageAnswer.answered_at,
            )
            .join(TriageAnswer, TriageAnswer.session_id == TriageSession.id)
            .join(TriageQuestion, TriageQuestion.id == TriageAnswer.question_id)
            .where(TriageSession.conversation_id.in_(conversation_ids))
            .order_by(TriageSession.conversation_id, TriageQuestion.position)
        )
        return (await self.session.execute(stmt)).all()

    async def funnel_transitions(self, conversation_ids: Sequence[int]) -> Sequence[FunnelTransition]:
        stmt = (
            select(FunnelTransition)
            .where(FunnelTransition.conversation_id.in_(conversation_ids))
            .order_by(FunnelTransition.created_at, FunnelTransition.id)
        )
        return (await self.session.execute(stmt)).scalars().all()

    async def documents(self, conversation_ids: Sequence[int]) -> Sequence[DocumentDispatch]:
        stmt = (
            select(DocumentDispatch)
            .where(DocumentDispatch.conversation_id.in_(conversation_ids))
            .order_by(DocumentDispatch.id)
        )
        return (await self.session.execute(stmt)).scalars().all()

    async def history(self, conversation_ids: Sequence[int]) -> Sequence[HistoryEntry]:
        stmt = (
            select(HistoryEntry)
            .where(HistoryEntry.conversation_id.in_(conversation_ids))
            .order_by(HistoryEntry.created_at, HistoryEntry.id)
        )
        return (await self.session.execute(stmt)).scalars().all()

    # --- legal exceptions of an erasure
    async def active_conversations(self, contact_ids: Sequence[int]) -> list[int]:
        stmt = select(Conversation.id).where(
            Conversation.contact_id.in_(contact_ids), Conversation.status.in_(list(ACTIVE_STATUSES))
        )
        return [int(i) for i in (await self.session.execute(stmt)).scalars()]

    async def contract_conversations(self, contact_ids: Sequence[int], since: datetime) -> list[int]:
        """Conversations that closed a contract (funnel `won` or a contract e-mailed) with activity
        after `since`."""
        contract_sent = select(DocumentDispatch.conversation_id).where(
            DocumentDispatch.kind == DocumentKind.contract.value
        )
        stmt = select(Conversation.id).where(
            Conversation.contact_id.in_(contact_ids),
            Conversation.last_activity_at >= since,
            or_(
                Conversation.funnel_stage == FunnelStage.won.value,
                Conversation.id.in_(contract_sent.scalar_subquery()),
            ),
        )
        return [int(i) for i in (await self.session.execute(stmt)).scalars()]

    async def open_incident_conversations(self, contact_ids: Sequence[int]) -> list[int] | None:
        """Conversations linked to an incident not yet resolved; None if there is no incidents
        table to ask (the incidents package's table is read by name, not imported)."""
        incidents: Table | None = atendimento_models.Base.metadata.tables.get("incidents")
        if incidents is None or "status" not in incidents.c or "conversation_id" not in incidents.c:
            return None
        of_contacts = select(Conversation.id).where(Conversation.contact_id.in_(contact_ids))
        conditions = [incidents.c.conversation_id.in_(of_contacts.scalar_subquery())]
        if "contact_id" in incidents.c:
            conditions.append(incidents.c.contact_id.in_(contact_ids))
        stmt = (
            select(incidents.c.conversation_id)
            .where(incidents.c.status.in_(OPEN_INCIDENT_STATUSES), or_(*conditions))
            .distinct()
        )
        return [int(i) for i in (await self.session.execute(stmt)).scalars() if i is not None]
