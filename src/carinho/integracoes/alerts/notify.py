"""An alert opened or resolved reaches a person: an e-mail to OPS_ALERT_EMAIL and a signed POST to
INTEGRACOES_ALERT_WEBHOOK_URL, each its own job on the notifications lane, queued once per
(alert, transition, channel) by its dedupe key; transient failures are retried by the worker."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from carinho import runtime
from carinho.connectors.email import EmailSender
from carinho.connectors.errors import ConnectorPermanentError
from carinho.connectors.signed_webhook import post_signed_json
from carinho.integracoes.alerts.models import HubAlert
from carinho.integracoes.alerts.rules import KINDS
from carinho.logging import get_logger
from carinho.worker import Lane, enqueue, job

log = get_logger(__name__)

EMAIL_JOB = "integracoes.alert_email"
WEBHOOK_JOB = "integracoes.alert_webhook"
TIMEZONE = ZoneInfo("America/Sao_Paulo")
CONSOLE_PATH = "/alertas"


async def schedule_notifications(session: AsyncSession, alert_id: int, state: str) -> None:
    settings = runtime.current().settings
    args = {"alert_id": alert_id, "state": state}
    if settings.ops_alert_email:
        await enqueue(session, EMAIL_JOB, args, dedupe_key=f"integracoes:alert-email:{alert_id}:{state}")
    if settings.integracoes_alert_webhook_url:
        await enqueue(session, WEBHOOK_JOB, args, dedupe_key=f"integracoes:alert-webhook:{alert_id}:{state}")


def _local(moment: datetime | None) -> str:
    return moment.astimezone(TIMEZONE).strftime("%d/%m/%Y às %H:%M") if moment else ""


def console_url() -> str:
    settings = runtime.current().settings
    base = settings.integracoes_public_url or f"http://{settings.bind_host}:{settings.integracoes_port}"
    return base.rstrip("/") + CONSOLE_PATH


def email_context(alert: HubAlert, state: str) -> dict[str, Any]:
    kind = KINDS.get(alert.kind)
    return {
        "state": state,
        "title": alert.title,
        "subject": alert.subject,
        "kind_label": kind.label if kind else alert.kind,
        "opened_at": _local(alert.opened_at),
        "resolved_at": _local(alert.resolved_at) if state == "resolved" else "",
        "console_url": console_url(),
    }


def webhook_body(alert: HubAlert, state: str) -> bytes:
    moment = alert.resolved_at if state == "resolved" else alert.opened_at
    document = {
        "id": f"hub_alert_{alert.id}_{state}",
        "type": f"integracoes.alert.{state}",
        "timestamp": moment.isoformat().replace("+00:00", "Z") if moment else None,
        "data": {
            "alert_id": alert.id,
            "kind": alert.kind,
            "subject": alert.subject,
            "title": alert.title,
            "details": alert.details or {},
            "opened_at": alert.opened_at.isoformat() if alert.opened_at else None,
            "resolved_at": alert.resolved_at.isoformat() if alert.resolved_at else None,
        },
    }
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode()


@job(EMAIL_JOB, context="integracoes", lane=Lane.notifications, max_attempts=6, time_limit_seconds=60)
async def send_alert_email(session: AsyncSession, alert_id: int, state: str) -> None:
    settings = runtime.current().settings
    alert = await session.get(HubAlert, alert_id)
    if alert is None or not settings.ops_alert_email:
        return
    try:
        await EmailSender(settings).send(settings.ops_alert_email, "hub_alert", email_context(alert, state))
    except ConnectorPermanentError as exc:
        log.warning("hub.alert_email_rejected", alert_id=alert.id, error=str(exc))


@job(WEBHOOK_JOB, context="integracoes", lane=Lane.notifications, max_attempts=8, time_limit_seconds=60)
async def post_alert_webhook(session: AsyncSession, alert_id: int, state: str) -> None:
    settings = runtime.current().settings
    alert = await session.get(HubAlert, alert_id)
    url = settings.integracoes_alert_webhook_url
    if alert is None or not url:
        return
    message_id = f"hub_alert_{alert.id}_{state}"
    secret = settings.integracoes_alert_webhook_secret.get_secret_value()
    response = await post_signed_json(
        url, secret, message_id, f"integracoes-{message_id}", webhook_body(alert, state)
    )
    if response.is_success:
        log.info("hub.alert_webhook_sent", alert_id=alert.id, state=state, status=response.status_code)
    else:
        log.warning("hub.alert_webhook_rejected", alert_id=alert.id, state=state, status=response.status_code)
