"""InboxService, the sending half: replies, templates, attachments, automatic messages and notes.

A send is a `messages` row (queued) plus a job on the notifications lane, written in the caller's
transaction; `sending.py` delivers it, in the conversation's order (`send_order.py`). Notes never
leave the building.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from carinho.atendimento import signals
from carinho.atendimento.agents.models import Agent
from carinho.atendimento.history.actor import Actor
from carinho.atendimento.history.models import ActorType
from carinho.atendimento.history.service import Action, history_service
from carinho.atendimento.inbox.access import ensure_can_see
from carinho.atendimento.inbox.models import (
    Conversation,
    DeliveryStatus,
    Direction,
    Message,
    MessageKind,
    SenderType,
)
from carinho.atendimento.inbox.send_order import SEND_JOB, lock_conversation, send_dedupe_key, start_series
from carinho.atendimento.inbox.service import ensure_active
from carinho.atendimento.templates.service import template_service
from carinho.errors import BadRequest, Conflict
from carinho.kit.clock import utcnow
from carinho.worker import enqueue

ATTACHMENT_KINDS = {MessageKind.image, MessageKind.document, MessageKind.audio, MessageKind.video}


class OutboundService:
    async def queue(
        self,
        session: AsyncSession,
        conversation: Conversation,
        actor: Actor,
        *,
        content: str | None,
        kind: MessageKind = MessageKind.text,
        media_url: str | None = None,
        media_mime_type: str | None = None,
        media_file_name: str | None = None,
        media_size: int | None = None,
        template_id: int | None = None,
        automation: str | None = None,
    ) -> Message:
        await lock_conversation(session, conversation.id)  # ids in commit order: the send order
        now = utcnow()
        sender = {
            ActorType.agent: SenderType.agent,
            ActorType.automation: SenderType.automation,
        }.get(actor.type, SenderType.system)
        message = Message(
            conversation_id=conversation.id,
            direction=Direction.outbound.value,
            kind=kind.value,
            private=False,
            sender_type=sender.value,
            agent_id=actor.agent_id,
            content=content,
            media_url=media_url,
            media_mime_type=media_mime_type,
            media_file_name=media_file_name,
            media_size=media_size,
            media_caption=content if media_url else None,
            extra={},
            delivery_status=DeliveryStatus.queued.value,
            send_attempts=0,
            template_id=template_id,
            automation=automation,
            created_at=now,
        )
        session.add(message)
        await session.flush()
        await enqueue(
            session,
            SEND_JOB,
            {"message_id": message.id, "attempt": 1},
            dedupe_key=send_dedupe_key(message.id, 1),
        )
        conversation.last_outbound_at = now
        conversation.last_activity_at = now
        if actor.type is ActorType.agent:
            # Only a person's reply answers the customer (automatic messages do not count).
            conversation.waiting_since = None
            if conversation.first_response_at is None:
                conversation.first_response_at = now
        history_service.record(
            session,
            Action.automation_sent if automation else Action.message_queued,
            actor,
            conversation_id=conversation.id,
            after={"message_id": message.id, "delivery_status": message.delivery_status},
            details={"kind": kind.value, "template_id": template_id, "automation": automation},
        )
        await signals.message_queued.send(session, conversation=conversation, message=message, actor=actor)
        return message

    async def reply(
        self, session: AsyncSession, agent: Agent, conversation: Conversation, text: str
    ) -> Message:
        ensure_can_see(agent, conversation)
        ensure_active(conversation)
        if not text.strip():
            raise BadRequest("A mensagem não pode ficar vazia.")
        return await self.queue(session, conversation, Actor.of(agent), content=text)

    async def send_template(
        self, session: AsyncSession, agent: Agent, conversation: Conversation, template_id: int
    ) -> Message:
        ensure_can_see(agent, conversation)
        ensure_active(conversation)
        template = await template_service.get(session, template_id)
        if not template.active:
            raise Conflict("Este modelo está desativado.")
        values = await template_service.variables_for(
            session,
            contact_name=conversation.contact.name,
            agent_name=agent.name,
            conversation_id=conversation.id,
        )
        text = template_service.render(template, values)
        message = await self.queue(
            session, conversation, Actor.of(agent), content=text, template_id=template.id
        )
        history_service.record(
            session,
            Action.template_used,
            Actor.of(agent),
            conversation_id=conversation.id,
            details={"template_id": template.id, "template": template.name, "message_id": message.id},
        )
        return message

    async def send_attachment(
        self,
        session: AsyncSession,
        agent: Agent,
        conversation: Conversation,
        *,
        url: str,
        kind: MessageKind,
        caption: str | None,
        file_name: str | None,
        mime_type: str | None,
        size: int | None,
    ) -> Message:
        ensure_can_see(agent, conversation)
        ensure_active(conversation)
        if kind not in ATTACHMENT_KINDS:
            raise BadRequest("Tipo de anexo inválido: use image, document, audio ou video.")
        if not url.startswith(("https://", "http://")):
            raise BadRequest("O anexo deve ser um link http(s).")
        return await self.queue(
            session,
            conversation,
            Actor.of(agent),
            content=caption,
            kind=kind,
            media_url=url,
            media_mime_type=mime_type,
            media_file_name=file_name,
            media_size=size,
        )

    async def send_automatic(
        self,
        session: AsyncSession,
        conversation: Conversation,
        *,
        automation: str,
        text: str,
        template_id: int | None,
    ) -> Message:
        return await self.queue(
            session,
            conversation,
            Actor.automation(automation),
            content=text,
            template_id=template_id,
            automation=automation,
        )

    async def add_note(
        self, session: AsyncSession, agent: Agent, conversation: Conversation, text: str
    ) -> Message:
        """An internal note: visible only to agents, never sent."""
        ensure_can_see(agent, conversation)
        if not text.strip():
            raise BadRequest("A nota não pode ficar vazia.")
        now = utcnow()
        note = Message(
            conversation_id=conversation.id,
            direction=Direction.outbound.value,
            kind=MessageKind.note.value,
            private=True,
            sender_type=SenderType.agent.value,
            agent_id=agent.id,
            content=text,
            extra={},
            delivery_status="internal",
            created_at=now,
        )
        session.add(note)
        await session.flush()
        conversation.last_activity_at = now
        history_service.record(
            session,
            Action.note_added,
            Actor.of(agent),
            conversation_id=conversation.id,
            after={"message_id": note.id},
        )
        return note

    async def retry(
        self, session: AsyncSession, agent: Agent, conversation: Conversation, message: Message
    ) -> Message:
        """A person re-sends a failed message (after checking it did not reach the phone)."""
        ensure_can_see(agent, conversation)
        ensure_active(conversation)
        if message.delivery_status != DeliveryStatus.failed.value or message.private:
            raise Conflict("Só mensagens com falha podem ser reenviadas.")
        message.delivery_status = DeliveryStatus.queued.value
        message.failure_reason = None
        message.failed_at = None
        message.extra = {
            **(message.extra or {}),
            "manual_retries": int((message.extra or {}).get("manual_retries", 0)) + 1,
        }
        start_series(message)
        # A fresh series of automatic attempts; the key stays unique across series.
        await enqueue(
            session,
            SEND_JOB,
            {"message_id": message.id, "attempt": 1},
            dedupe_key=send_dedupe_key(message.id, message.send_attempts + 1),
        )
        history_service.record(
            session,
            Action.message_retried,
            Actor.of(agent),
            conversation_id=conversation.id,
            before={"delivery_status": DeliveryStatus.failed.value},
            after={"delivery_status": DeliveryStatus.queued.value, "message_id": message.id},
        )
        return message


outbound_service = OutboundService()
