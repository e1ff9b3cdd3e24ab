"""A failing sync raises an alert: a `sync_alerts` row, a warning log, a metric, and an e-mail to
OPS_ALERT_EMAIL when it is set (best effort: the alert row is what counts)."""

from __future__ import annotations

from email.message import EmailMessage

import aiosmtplib
from prometheus_client import Counter
from sqlalchemy.ext.asyncio import AsyncSession

from carinho.config import Settings
from carinho.integracoes.sync.models import SyncAlert, SyncJob
from carinho.kit.clock import utcnow
from carinho.logging import get_logger

log = get_logger(__name__)

sync_runs = Counter("carinho_sync_runs_total", "Sync runs by sync and final status", ["sync", "status"])
sync_failures = Counter("carinho_sync_failures_total", "Sync runs that failed or partly failed", ["sync"])


def alert_message(job: SyncJob) -> str:
    first = job.errors[0]["error"] if job.errors else "sem detalhes"
    return (
        f"Sincronização {job.name} terminou como {job.status}: {job.failed_count} registro(s) com falha "
        f"de {job.read_count} lido(s). Primeiro erro: {first}"
    )[:2000]


async def raise_alert(session: AsyncSession, settings: Settings, job: SyncJob) -> SyncAlert:
    now = utcnow()
    alert = SyncAlert(
        name=job.name,
        sync_job_id=job.id,
        status=job.status,
        message=alert_message(job),
        created_at=now,
        updated_at=now,
    )
    session.add(alert)
    sync_failures.labels(sync=job.name).inc()
    log.warning("sync.alert", sync=job.name, sync_job_id=job.id, status=job.status, failed=job.failed_count)
    if settings.ops_alert_email:
        await _email_ops(settings, alert)
    return alert


async def _email_ops(settings: Settings, alert: SyncAlert) -> None:
    message = EmailMessage()
    message["Subject"] = f"[Carinho Integrações] Sincronização com falha: {alert.name}"
    message["From"] = settings.mail_from_address
    message["To"] = settings.ops_alert_email
    message.set_content(alert.message + f"\n\nDetalhes: GET /api/sync/jobs/{alert.sync_job_id}\n")
    try:
        await aiosmtplib.send(
            message,
            hostname=settings.mail_host,
            port=settings.mail_port,
            username=settings.mail_username or None,
            password=settings.mail_password.get_secret_value() or None,
            use_tls=settings.mail_use_tls,
            start_tls=settings.mail_start_tls,
            timeout=settings.mail_timeout_seconds,
        )
    except (aiosmtplib.SMTPException, OSError) as exc:
        log.warning("sync.alert_email_failed", sync=alert.name, error=type(exc).__name__)
