from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from carinho import runtime
from carinho.atendimento.agents.models import Agent
from carinho.atendimento.funnel.models import DocumentDispatch
from carinho.atendimento.funnel.service import SEND_DOCUMENT_JOB
from carinho.atendimento.history.actor import Actor
from carinho.atendimento.history.service import Action, history_service
from carinho.atendimento.inbox.alerts import alert_service
from carinho.atendimento.inbox.models import Contact, Conversation
from carinho.connectors.email.sender import EmailSender
from carinho.kit import retry
from carinho.kit.clock import utcnow
from carinho.logging import get_logger
from carinho.worker import Lane, enqueue, job

log = get_logger(__name__)


DOCUMENT_LABELS = {"proposal": "Abrir a proposta", "contract": "Abrir o contrato"}


async def send_email(session: AsyncSession, dispatch: DocumentDispatch) -> str:
    """Send the attendant's text in the branded e-mail layout (MAIL_* settings); returns the
    Message-ID recorded as the provider id."""
    conversation = await session.get(Conversation, dispatch.conversation_id)
    contact = await session.get(Contact, conversation.contact_id) if conversation else None
    agent = await session.get(Agent, dispatch.agent_id) if dispatch.agent_id else None
    sent = await EmailSender(runtime.current().settings).send(
        dispatch.email,
        "document",
        {
            "subject": dispatch.subject,
            "body": dispatch.body,
            "client_name": contact.name if contact else None,
            "agent_name": agent.name if agent else None,
            "document_url": dispatch.document_url,
            "document_label": DOCUMENT_LABELS.get(dispatch.kind, "Abrir o documento"),
        },
    )
    return sent.message_id


MAX_EMAIL_ATTEMPTS = 5


# Retries: a refused e-mail is the domain's (the `document_emails` schedule); max_attempts only
# re-runs a run that raised (docs/arquitetura.md, "Retries").
@job(SEND_DOCUMENT_JOB, context="atendimento", lane=Lane.notifications, max_attempts=2, time_limit_seconds=60)
async def send_document_email(session: AsyncSession, dispatch_id: int, attempt: int = 1) -> None:
    dispatch = await session.get(DocumentDispatch, dispatch_id)
    if dispatch is None or dispatch.status != "queued":
        return
    try:
        dispatch.provider_message_id = await send_email(session, dispatch)
    except Exception as exc:
        dispatch.error = f"tentativa {attempt}: {type(exc).__name__}: {exc}"[:2000]
        log.warning("atendimento.document_email_failed", dispatch_id=dispatch.id, error=type(exc).__name__)
        if attempt < MAX_EMAIL_ATTEMPTS:
            await enqueue(
                session,
                SEND_DOCUMENT_JOB,
                {"dispatch_id": dispatch.id, "attempt": attempt + 1},
                delay=retry.document_emails(runtime.current().settings).delay(attempt - 1),
                dedupe_key=f"atendimento:send-document:{dispatch.id}:{attempt + 1}",
            )
            return
        dispatch.status = "failed"
        history_service.record(
            session,
            Action.document_failed,
            Actor.system(),
            conversation_id=dispatch.conversation_id,
            before={"status": "queued"},
            after={"status": "failed", "dispatch_id": dispatch.id, "kind": dispatch.kind},
        )
        await alert_service.raise_alert(
            session,
            kind="document_email_failed",
            severity="error",
            title=f"Falha no envio de {dispatch.kind} por e-mail na conversa {dispatch.conversation_id}",
            details={"error": dispatch.error},
            conversation_id=dispatch.conversation_id,
            dedupe_key=f"document_email_failed:{dispatch.id}",
        )
        return
    dispatch.status = "sent"
    dispatch.sent_at = utcnow()
    dispatch.error = None
    history_service.record(
        session,
        Action.document_emailed,
        Actor.system(),
        conversation_id=dispatch.conversation_id,
        before={"status": "queued"},
        after={"status": "sent", "dispatch_id": dispatch.id, "kind": dispatch.kind},
    )
