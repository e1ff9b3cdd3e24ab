"""Delivery statuses (Z-API status and delivery callbacks) applied to our outbound messages."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from carinho.atendimento.history.actor import Actor
from carinho.atendimento.history.service import Action, history_service
from carinho.atendimento.inbox.failures import mark_failed
from carinho.atendimento.inbox.models import DELIVERY_ORDER, DeliveryStatus, Direction, Message
from carinho.atendimento.inbox.repository import InboxRepository


async def apply_receipt(
    session: AsyncSession, message: Message, status: str, error: str | None, moment: datetime
) -> bool:
    """Apply one delivery status to an outbound message; statuses only move forward."""
    if message.direction != Direction.outbound.value or message.private:
        return False
    current = message.delivery_status
    if current == DeliveryStatus.failed.value:
        return False
    if status == "failed":
        await mark_failed(session, message, f"WhatsApp não entregou: {error or 'erro desconhecido'}")
        return True
    target = DeliveryStatus(status)
    if DELIVERY_ORDER.get(DeliveryStatus(current), -1) >= DELIVERY_ORDER[target]:
        return False
    message.delivery_status = target.value
    message.sent_at = message.sent_at or moment
    if target in (DeliveryStatus.received, DeliveryStatus.read):
        message.delivered_at = message.delivered_at or moment
    if target is DeliveryStatus.read:
        message.read_at = message.read_at or moment
    history_service.record(
        session,
        Action.delivery_status,
        Actor.system(),
        conversation_id=message.conversation_id,
        before={"delivery_status": current},
        after={"delivery_status": target.value, "message_id": message.id},
    )
    return True


async def apply_pending_receipts(session: AsyncSession, message: Message) -> None:
    """Receipts that arrived before `message` had its WhatsApp id, applied in order."""
    if not message.zapi_message_id:
        return
    repo = InboxRepository(session)
    for receipt in await repo.receipts_for(message.zapi_message_id):
        await apply_receipt(session, message, receipt.status, receipt.error, receipt.moment)
        await repo.delete(receipt)


async def reconcile_receipts(session: AsyncSession) -> int:
    """Receipts whose message became known after they arrived (the periodic safety net)."""
    messages = await InboxRepository(session).known_receipt_messages()
    for message in messages:
        await apply_pending_receipts(session, message)
    return len(messages)
