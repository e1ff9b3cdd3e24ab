"""The queries of a conversation's send order (`send_order.py`): its outbound, non-private messages
in id order, and which of them are still pending (queued or being sent)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Row, exists, select

from carinho.atendimento.inbox.models import Conversation, DeliveryStatus, Direction, Message
from carinho.kit.repository import SessionRepository

PENDING = (DeliveryStatus.queued.value, DeliveryStatus.sending.value)


def _outbound(conversation_id: int) -> Any:
    return (
        Message.conversation_id == conversation_id,
        Message.direction == Direction.outbound.value,
        Message.private.is_(False),
    )


class SendOrderRepository(SessionRepository):
    async def lock_conversation(self, conversation_id: int) -> None:
        """Holds the conversation's row until the commit (server databases; no query on SQLite,
        which serialises writers by itself)."""
        if self.session.get_bind().dialect.name == "sqlite":
            return
        await self.one_locked(select(Conversation.id).where(Conversation.id == conversation_id))

    async def has_earlier_pending(self, message: Message) -> bool:
        earlier = exists().where(
            *_outbound(message.conversation_id), Message.id < message.id, Message.delivery_status.in_(PENDING)
        )
        return bool((await self.session.execute(select(earlier))).scalar())

    async def previous(self, message: Message) -> Row[int, str] | None:
        """(id, delivery_status) of the conversation's outbound message just before this one."""
        stmt = (
            select(Message.id, Message.delivery_status)
            .where(*_outbound(message.conversation_id), Message.id < message.id)
            .order_by(Message.id.desc())
            .limit(1)
        )
        return (await self.session.execute(stmt)).first()

    async def nothing_pending_alone(self, conversation_id: int) -> bool:
        """Whether no outbound message of the conversation is pending, as seen by a write
        transaction that no other writer can overlap: SQLite's, which holds the one write lock from
        its BEGIN to its end. False on MariaDB/PostgreSQL without a query (a message queued while
        this transaction runs could be missed there)."""
        if self.session.get_bind().dialect.name != "sqlite":
            return False
        return await self.head(conversation_id) is None

    async def head(self, conversation_id: int) -> Message | None:
        """The conversation's first outbound message that is not final."""
        stmt = (
            select(Message)
            .where(*_outbound(conversation_id), Message.delivery_status.in_(PENDING))
            .order_by(Message.id)
            .limit(1)
        )
        return (await self.session.execute(stmt)).scalar_one_or_none()

    async def conversations_queued_before(self, cutoff: datetime, limit: int) -> Sequence[int]:
        """Conversations with an outbound message queued since before the cutoff."""
        stmt = (
            select(Message.conversation_id)
            .where(
                Message.delivery_status == DeliveryStatus.queued.value,
                Message.direction == Direction.outbound.value,
                Message.created_at <= cutoff,
            )
            .distinct()
            .limit(limit)
        )
        return (await self.session.execute(stmt)).scalars().all()
