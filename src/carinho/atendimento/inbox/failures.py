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

# What WhatsApp (Z-API) or a send attempt said, as an attendant reads it: (words in the reason,
# lower case, any of which matches) -> the explanation. The original stays in the audit trail.
_EXPLANATIONS: tuple[tuple[tuple[str, ...], str], ...] = (
    (("does not exist", "not exist", "invalid phone", "not on whatsapp"), "Este número não tem WhatsApp."),
    (("disconnected", "not connected", "desconectad"), "O WhatsApp da empresa está desconectado."),
    (("subscription", "assinatura"), "A assinatura do serviço de WhatsApp (Z-API) está inativa."),
    (
        ("client-token", "client token", "ip not allowed"),
        "O serviço de WhatsApp (Z-API) recusou a credencial.",
    ),
    (("timeout", "timed out", "tempo esgotado"), "O serviço de WhatsApp não respondeu a tempo."),
    (("429", "rate limit", "too many"), "Limite de envios do WhatsApp atingido."),
    (("blocked", "bloque"), "O contato bloqueou o número da empresa."),
)


def explain_failure(reason: str | None) -> str:
    """A send failure's reason in Portuguese for the attendant: the known ones explained, others
    as received (our own reasons already are Portuguese)."""
    if not reason:
        return "O WhatsApp não confirmou o envio."
    lowered = reason.lower()
    for words, explanation in _EXPLANATIONS:
        if any(word in lowered for word in words):
            return explanation
    return reason


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
