from __future__ import annotations

from datetime import timedelta
from email.message import EmailMessage

from sqlalchemy.ext.asyncio import AsyncSession

from carinho import runtime
from carinho.atendimento.funnel.models import DocumentDispatch
from carinho.atendimento.funnel.service import SEND_DOCUMENT_JOB
from carinho.atendimento.history.actor import Actor
from carinho.atendimento.history.service import Action, history_service
from carinho.atendimento.inbox.alerts import alert_service
from carinho.kit.clock import utcnow
from carinho.logging import get_logger
from carinho.worker import Lane, enqueue, job

log = get_logger(__name__)


async def send_email(dispatch: DocumentDispatch) -> str:
    """Send through SMTP (MAIL_* settings); returns the Message-ID recorded as the provider id."""
    from email.utils import formataddr, make_msgid

    import aiosmtplib

    settings = runtime.current().settings
    message = EmailMessage()
    message["From"] = formataddr((settings.mail_from_name, settings.mail_from_address))
    message["To"] = dispatch.email
    message["Subject"] = dispatch.subject
    message_id = make_msgid(domain=settings.mail_from_address.split("@")[-1])
    message["Message-ID"] = message_id
    body = dispatch.body
    if dispatch.document_url:
        body += f"\n\nDocumento: {dispatch.document_url}"
    message.set_content(body)
    await aiosmtplib.send(
        message,
        hostname=settings.mail_host,
        port=settings.mail_port,
        username=settings.mail_username or None,
        password=settings.mail_password.get_secret_value() or None,
        use_tls=settings.mail_use_tls,
        start_tls=settings.mail_start_tls,
        timeout=30,
    )
    return message_id


MAX_EMAIL_ATTEMPTS = 5


@job(SEND_DOCUMENT_JOB, context="atendimento", lane=Lane.notifications, max_attempts=2, time_limit_seconds=60)
async def send_document_email(session: AsyncSession, dispatch_id: int, attempt: int = 1) -> None:
    dispatch = await session.get(DocumentDispatch, dispatch_id)
    if dispatch is None or dispatch.status != "queued":
        return
    try:
        dispatch.provider_message_id = await send_email(dispatch)
    except Exception as exc:
        dispatch.error = f"tentativa {attempt}: {type(exc).__name__}: {exc}"[:2000]
        log.warning("atendimento.document_email_failed", dispatch_id=dispatch.id, error=type(exc).__name__)
        if attempt < MAX_EMAIL_ATTEMPTS:
            await enqueue(
                session,
                SEND_DOCUMENT_JOB,
                {"dispatch_id": dispatch.id, "attempt": attempt + 1},
                delay=timedelta(minutes=2**attempt),
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
