"""InboxService, the agent-facing half: reading, filtering and changing conversations.

Inbound processing lives in `inbound.py`, sending in `outbound.py`.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Any

from sqlalchemy import and_, or_
from sqlalchemy.ext.asyncio import AsyncSession

from carinho.atendimento import signals
from carinho.atendimento.agents.models import Agent, SupportLevel
from carinho.atendimento.agents.repository import AgentRepository
from carinho.atendimento.history.actor import Actor
from carinho.atendimento.history.service import Action, history_service
from carinho.atendimento.inbox.access import (
    can_see,
    ensure_can_see,
    ensure_supervisor,
    sees_everything,
    visibility_clause,
)
from carinho.atendimento.inbox.listing import InboxList, InboxTab, ListingFilters, ListingRepository
from carinho.atendimento.inbox.models import (
    ACTIVE_STATUSES,
    Contact,
    Conversation,
    ConversationStatus,
    Message,
    Priority,
)
from carinho.atendimento.inbox.repository import ConversationFilters, InboxRepository
from carinho.atendimento.inbox.thread_order import in_thread_order
from carinho.atendimento.labels.models import Label
from carinho.errors import BadRequest, Conflict, Forbidden, NotFound
from carinho.kit.clock import utcnow


class InboxService:
    # ------------------------------------------------------------------ reading

    async def get(self, session: AsyncSession, conversation_id: int, *, lock: bool = False) -> Conversation:
        conversation = await InboxRepository(session).conversation(conversation_id, lock=lock)
        if conversation is None:
            raise NotFound(f"Conversa {conversation_id} não encontrada.")
        return conversation

    async def get_for(
        self, session: AsyncSession, agent: Agent, conversation_id: int, *, lock: bool = False
    ) -> Conversation:
        """The conversation if the agent may see it: 404 when it does not exist, 403 when hidden."""
        conversation = await self.get(session, conversation_id, lock=lock)
        ensure_can_see(agent, conversation)
        return conversation

    async def search(
        self, session: AsyncSession, agent: Agent, filters: ConversationFilters
    ) -> Sequence[Conversation]:
        return await InboxRepository(session).search(filters, visibility_clause(agent))

    async def messages(self, session: AsyncSession, conversation: Conversation) -> Sequence[Message]:
        """In the order they are read (inbox/thread_order.py)."""
        return in_thread_order(await InboxRepository(session).messages(conversation.id))

    async def previous_conversations(
        self, session: AsyncSession, conversation: Conversation, limit: int = 20
    ) -> Sequence[Conversation]:
        """The same contact's other conversations, newest first (what an agent reads for context;
        opening one still goes through `get_for`)."""
        return await InboxRepository(session).contact_conversations(
            conversation.contact_id, exclude_id=conversation.id, limit=limit
        )

    # ------------------------------------------------------------------ state changes

    async def change_status(
        self, session: AsyncSession, conversation: Conversation, status: ConversationStatus, actor: Actor
    ) -> Conversation:
        current = ConversationStatus(conversation.status)
        if status == current:
            return conversation
        if current is ConversationStatus.closed:
            raise Conflict("Conversa fechada não pode ser alterada; uma nova mensagem abre outra conversa.")
        now = utcnow()
        if status.is_active and not current.is_active:
            other = await InboxRepository(session).active_conversation(conversation.contact_id)
            if other is not None and other.id != conversation.id:
                raise Conflict(
                    f"O contato já tem a conversa {other.id} em andamento; continue por ela.",
                    details={"active_conversation_id": other.id},
                )
            conversation.active_contact_id = conversation.contact_id
            conversation.resolved_at = None
        if not status.is_active:
            conversation.active_contact_id = None
            conversation.waiting_since = None
            if status is ConversationStatus.resolved:
                conversation.resolved_at = now
            else:
                conversation.closed_at = now
                conversation.resolved_at = conversation.resolved_at or now
        conversation.status = status.value
        conversation.status_changed_at = now
        conversation.last_activity_at = now
        await session.flush()
        history_service.record(
            session,
            Action.status_changed,
            actor,
            conversation_id=conversation.id,
            before={"status": current.value},
            after={"status": status.value},
        )
        await signals.status_changed.send(
            session, conversation=conversation, before=current.value, after=status.value, actor=actor
        )
        return conversation

    async def change_priority(
        self, session: AsyncSession, conversation: Conversation, priority: Priority, actor: Actor
    ) -> Conversation:
        before = conversation.priority
        if before == priority.value:
            return conversation
        conversation.priority = priority.value
        conversation.last_activity_at = utcnow()
        history_service.record(
            session,
            Action.priority_changed,
            actor,
            conversation_id=conversation.id,
            before={"priority": before},
            after={"priority": priority.value},
        )
        await signals.priority_changed.send(
            session, conversation=conversation, before=before, after=priority.value, actor=actor
        )
        return conversation

    async def change_level(
        self, session: AsyncSession, conversation: Conversation, level: SupportLevel, actor: Actor
    ) -> Conversation:
        before = conversation.level
        if before == level.value:
            return conversation
        conversation.level = level.value
        conversation.last_activity_at = utcnow()
        history_service.record(
            session,
            Action.level_changed,
            actor,
            conversation_id=conversation.id,
            before={"level": before},
            after={"level": level.value},
        )
        await signals.level_changed.send(
            session, conversation=conversation, before=before, after=level.value, actor=actor
        )
        return conversation

    # ------------------------------------------------------------------ assignment

    async def _set_assignee(
        self,
        session: AsyncSession,
        conversation: Conversation,
        target: Agent | None,
        actor: Actor,
        *,
        action: str,
        details: dict[str, object] | None = None,
    ) -> Conversation:
        before = conversation.assignee_id
        if target is not None:
            if not target.active:
                raise BadRequest(f"{target.name} está inativo e não pode receber conversas.")
            target.last_assigned_at = utcnow()
        conversation.assignee = target
        conversation.assignee_id = target.id if target else None
        conversation.assigned_at = utcnow() if target else None
        conversation.last_activity_at = utcnow()
        await session.flush()
        history_service.record(
            session,
            action,
            actor,
            conversation_id=conversation.id,
            before={"assignee_id": before},
            after={"assignee_id": conversation.assignee_id, "assignee_name": target.name if target else None},
            details=details,
        )
        await signals.assignee_changed.send(
            session, conversation=conversation, before=before, after=conversation.assignee_id, actor=actor
        )
        return conversation

    async def assign(
        self, session: AsyncSession, agent: Agent, conversation: Conversation, target_id: int | None
    ) -> Conversation:
        """Manual assignment: an agent takes a conversation they can see (or releases their own);
        a supervisor assigns anyone."""
        ensure_can_see(agent, conversation)
        if target_id is not None and target_id != agent.id:
            ensure_supervisor(agent, "atribuir conversas a outra pessoa")
        if target_id is None and conversation.assignee_id not in (None, agent.id):
            ensure_supervisor(agent, "retirar a conversa de outro atendente")
        target = await self._agent(session, target_id) if target_id is not None else None
        return await self._set_assignee(
            session, conversation, target, Actor.of(agent), action=Action.assigned
        )

    async def transfer(
        self,
        session: AsyncSession,
        agent: Agent,
        conversation: Conversation,
        target_id: int,
        note: str | None,
    ) -> Conversation:
        """The assignee (or a supervisor) hands the conversation to another agent."""
        ensure_can_see(agent, conversation)
        if conversation.assignee_id != agent.id:
            ensure_supervisor(agent, "transferir conversa de outro atendente")
        if target_id == conversation.assignee_id:
            raise BadRequest("A conversa já está com esse atendente.")
        target = await self._agent(session, target_id)
        return await self._set_assignee(
            session,
            conversation,
            target,
            Actor.of(agent),
            action=Action.transferred,
            details={"note": note} if note else None,
        )

    async def auto_assign(
        self,
        session: AsyncSession,
        conversation: Conversation,
        actor: Actor,
        *,
        exclude: Collection[int] = (),
        action: str = Action.assigned,
        details: dict[str, object] | None = None,
    ) -> Agent | None:
        """Round-robin among active, available agents of the conversation's level that are under
        capacity (but those in `exclude`): the one assigned least recently gets it. None when nobody
        can take it."""
        candidates = [
            a
            for a in await AgentRepository(session).candidates_for_level(conversation.level)
            if a.id not in exclude
        ]
        counts = await InboxRepository(session).open_count_by_agent([a.id for a in candidates])
        for candidate in candidates:
            if counts.get(candidate.id, 0) < candidate.capacity:
                await self._set_assignee(
                    session,
                    conversation,
                    candidate,
                    actor,
                    action=action,
                    details={"rule": "round_robin", **(details or {})},
                )
                return candidate
        return None

    async def _agent(self, session: AsyncSession, agent_id: int) -> Agent:
        target = await AgentRepository(session).get(agent_id)
        if target is None:
            raise NotFound(f"Atendente {agent_id} não encontrado.")
        return target

    # ------------------------------------------------------------------ labels

    async def add_label(
        self, session: AsyncSession, conversation: Conversation, label_id: int, actor: Actor
    ) -> Conversation:
        label = await session.get(Label, label_id)
        if label is None:
            raise NotFound("Etiqueta não encontrada.")
        if any(existing.id == label.id for existing in conversation.labels):
            return conversation
        conversation.labels.append(label)
        conversation.last_activity_at = utcnow()
        history_service.record(
            session,
            Action.label_added,
            actor,
            conversation_id=conversation.id,
            after={"label_id": label.id, "label": label.name},
        )
        await session.flush()
        return conversation

    async def remove_label(
        self, session: AsyncSession, conversation: Conversation, label_id: int, actor: Actor
    ) -> Conversation:
        label = next((item for item in conversation.labels if item.id == label_id), None)
        if label is None:
            raise NotFound("A conversa não tem essa etiqueta.")
        conversation.labels.remove(label)
        conversation.last_activity_at = utcnow()
        history_service.record(
            session,
            Action.label_removed,
            actor,
            conversation_id=conversation.id,
            before={"label_id": label.id, "label": label.name},
        )
        await session.flush()
        return conversation

    # ------------------------------------------------------------------ contacts

    async def update_contact(
        self,
        session: AsyncSession,
        agent: Agent,
        conversation: Conversation,
        *,
        name: str | None,
        email: str | None,
    ) -> Contact:
        contact = conversation.contact
        before = {"name": contact.name, "email": contact.email}
        if name is not None:
            if not name.strip():
                raise BadRequest("O nome do contato não pode ficar vazio.")
            contact.name = name.strip()[:160]
        if email is not None:
            contact.email = email.strip().lower() or None
        history_service.record(
            session,
            Action.contact_updated,
            Actor.of(agent),
            conversation_id=conversation.id,
            before={"fields": sorted(k for k, v in before.items() if v is not None)},
            after={"fields": sorted(k for k in ("name", "email") if getattr(contact, k) is not None)},
        )
        await signals.contact_updated.send(
            session, contact=contact, conversation=conversation, actor=Actor.of(agent)
        )
        return contact

    # ------------------------------------------------------------------ the inbox list

    def tab_clause(self, agent: Agent, tab: InboxTab) -> Any | None:
        """Mine: assigned to the agent. Unassigned: nobody's, at the agent's level (a supervisor's:
        every level). All: everything the agent may see (None: no further condition)."""
        if tab is InboxTab.mine:
            return self._mine(agent)
        if tab is InboxTab.unassigned:
            return self._unassigned(agent)
        return None

    @staticmethod
    def _mine(agent: Agent) -> Any:
        return Conversation.assignee_id == agent.id

    @staticmethod
    def _unassigned(agent: Agent) -> Any:
        if sees_everything(agent):
            return Conversation.assignee_id.is_(None)
        return and_(Conversation.assignee_id.is_(None), Conversation.level == agent.level)

    async def inbox_list(
        self, session: AsyncSession, agent: Agent, tab: InboxTab, filters: ListingFilters, *, limit: int = 50
    ) -> InboxList:
        """The agent's inbox by urgency (the first `limit` rows), each row with its labels, last
        message and unread count; the tabs' counts (none while searching: a search reads messages,
        once is enough); the unread total of what waits for the agent: their own conversations and
        the unassigned ones they may take. Visibility is the API's (`visibility_clause`)."""
        repo = ListingRepository(session)
        visibility = visibility_clause(agent)
        mine = self._mine(agent)
        unassigned = self._unassigned(agent)
        rows = await repo.page(filters, [visibility, self.tab_clause(agent, tab)], limit=limit + 1)
        has_more = len(rows) > limit
        rows = rows[:limit]
        ids = [row.conversation.id for row in rows]
        labels = await repo.labels_of(ids)
        last = await repo.last_messages(ids)
        unread = await repo.unread_counts(agent.id, ids)
        for row in rows:
            row.labels = labels.get(row.conversation.id, [])
            row.last_message = last.get(row.conversation.id)
            row.unread = unread.get(row.conversation.id, 0)
        searching = bool(filters.search and filters.search.strip())
        counts = None if searching else await repo.tab_counts(filters, [visibility], mine, unassigned)
        waiting_for_me = and_(
            Conversation.status.in_([s.value for s in ACTIVE_STATUSES]), or_(mine, unassigned)
        )
        total = await repo.unread_total(agent.id, waiting_for_me)
        return InboxList(rows=rows, counts=counts, has_more=has_more, unread_total=total)

    async def mark_read(self, session: AsyncSession, agent: Agent, conversation_id: int) -> bool:
        """The conversation is on the agent's screen: everything in it so far counts as read.
        Nothing happens (False) for a conversation the agent may not see or that does not exist."""
        conversation = await session.get(Conversation, conversation_id)
        if conversation is None or not can_see(agent, conversation):
            return False
        await ListingRepository(session).mark_read(conversation_id, agent.id)
        return True


def ensure_active(conversation: Conversation) -> None:
    if conversation.status == ConversationStatus.closed:
        raise Forbidden("Conversa fechada: não é possível enviar mensagens por ela.")


inbox_service = InboxService()
