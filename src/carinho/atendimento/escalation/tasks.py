"""Jobs and periodic jobs of the escalation package: telling operação, and auto-reassign."""

from __future__ import annotations

from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy.ext.asyncio import AsyncSession

from carinho import runtime
from carinho.atendimento.escalation.models import Escalation, OperacaoStatus
from carinho.atendimento.escalation.service import AUTO_REASSIGN_JOB, NOTIFY_OPERACAO_JOB, escalation_service
from carinho.atendimento.inbox.alerts import alert_service
from carinho.atendimento.inbox.models import Contact, Conversation
from carinho.connectors.errors import ConnectorError, ConnectorPermanentError
from carinho.connectors.operacao import OperacaoClient
from carinho.connectors.operacao.schemas import EscalationInput
from carinho.kit import retry
from carinho.kit.clock import utcnow
from carinho.logging import get_logger
from carinho.worker import Lane, enqueue, job
from carinho.worker.scheduler import periodic

log = get_logger(__name__)

# Delivery is retried (the `escalation_reports` schedule, kit/retry.py) until operação takes it;
# supervisors hear of it after this many failures.
ALERT_AFTER_ATTEMPTS = 3


def idempotency_key(escalation: Escalation) -> str:
    return f"atendimento-escalation-{escalation.id}"


# Retries: operação failing is the domain's (`_failed`, the `escalation_reports` schedule);
# max_attempts only re-runs a run that raised (docs/arquitetura.md, "Retries").
@job(
    NOTIFY_OPERACAO_JOB,
    context="atendimento",
    lane=Lane.atendimento_high,
    max_attempts=5,
    time_limit_seconds=60,
)
async def notify_operacao(session: AsyncSession, escalation_id: int) -> None:
    escalation = await session.get(Escalation, escalation_id)
    if escalation is None or escalation.operacao_status != OperacaoStatus.pending.value:
        return
    conversation = await session.get(Conversation, escalation.conversation_id)
    contact = await session.get(Contact, conversation.contact_id) if conversation else None
    if conversation is None or contact is None:
        return
    escalation.operacao_attempts += 1
    payload = EscalationInput(
        conversation_id=conversation.id,
        client_phone=contact.phone,
        level=escalation.to_level.lower(),
        reason=escalation.reason[:2000],
        summary=(
            f"Conversa {conversation.id} escalonada de {escalation.from_level} para {escalation.to_level} "
            f"(prioridade {conversation.priority})."
        ),
    )
    try:
        async with OperacaoClient(runtime.current().settings) as client:
            occurrence = await client.report_escalation(payload, idempotency_key=idempotency_key(escalation))
    except ConnectorError as exc:
        await _failed(session, escalation, exc)
        return
    escalation.operacao_status = OperacaoStatus.delivered.value
    escalation.operacao_protocol = occurrence.protocol[:64]
    escalation.operacao_delivered_at = utcnow()
    escalation.operacao_error = None
    log.info(
        "atendimento.escalation_reported", escalation_id=escalation.id, attempts=escalation.operacao_attempts
    )


async def _failed(session: AsyncSession, escalation: Escalation, exc: ConnectorError) -> None:
    attempt = escalation.operacao_attempts
    escalation.operacao_error = f"tentativa {attempt}: {type(exc).__name__}: {exc}"[:2000]
    log.warning("atendimento.escalation_report_failed", escalation_id=escalation.id, attempt=attempt)
    permanent = isinstance(exc, ConnectorPermanentError)
    if permanent:
        escalation.operacao_status = OperacaoStatus.failed.value
    else:
        delay = retry.escalation_reports(runtime.current().settings).delay(
            attempt - 1, retry_after=exc.retry_after
        )
        await enqueue(
            session,
            NOTIFY_OPERACAO_JOB,
            {"escalation_id": escalation.id},
            delay=delay,
            dedupe_key=f"atendimento:escalation-operacao:{escalation.id}:{attempt + 1}",
        )
    if permanent or attempt == ALERT_AFTER_ATTEMPTS:
        await alert_service.raise_alert(
            session,
            kind="escalation_operacao_failed",
            severity="error",
            title=(
                f"Escalonamento da conversa {escalation.conversation_id} não chegou à operação"
                + ("" if permanent else f" após {attempt} tentativas (seguimos tentando)")
            ),
            details={"escalation_id": escalation.id, "error": escalation.operacao_error},
            conversation_id=escalation.conversation_id,
            dedupe_key=f"escalation_operacao_failed:{escalation.id}",
        )


@job(AUTO_REASSIGN_JOB, context="atendimento", lane=Lane.atendimento, max_attempts=1, time_limit_seconds=120)
async def auto_reassign(session: AsyncSession) -> None:
    await escalation_service.reassign_unanswered(session)


periodic("atendimento.escalation_auto_reassign", AUTO_REASSIGN_JOB, IntervalTrigger(minutes=1))
