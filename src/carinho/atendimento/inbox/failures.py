"""A message that cannot be delivered: failed with its reason, in the audit trail, and an alert."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from carinho.atendimento.history.actor import Actor
from carinho.atendimento.history.service import Action, history_service
from carinho.atendimento.inbox.alerts import alert_service
from carinho.atendimento.inbox.models import DeliveryStatus, Message
from carinho.kit.clock import utcnow
from carinho.logging import get_logger

log = get_logger(__name__)


async def mark_failed(session: AsyncSession, message: Message, reason: str) -> None:
    before = message.delivery_status
    message.delivery_status = DeliveryStatus.failed.value
    message.failure_reason = reason[:2000]
    message.failed_at = utcnow()
    history_service.record(
        session,
        Action.message_failed,
        Actor.system(),
        conversation_id=message.conversation_id,
        before={"delivery_status": before},
        after={"delivery_status": DeliveryStatus.failed.value, "message_id": message.id},
        details={"reason": message.failure_reason},
    )
    await alert_service.raise_alert(
        session,
        kind="message_send_failed",
        severity="error",
        title=f"Falha no envio de mensagem na conversa {message.conversation_id}",
        details={"reason": message.failure_reason, "attempts": message.send_attempts},
        conversation_id=message.conversation_id,
        message_id=message.id,
        dedupe_key=f"message_send_failed:{message.id}:{message.send_attempts}",
    )
    log.warning("atendimento.message_failed", message_id=message.id, conversation_id=message.conversation_id)
