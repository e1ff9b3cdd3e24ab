"""Alerts leave the building: every new alert (bar the in-app-only kinds) is e-mailed to each active
supervisor and administrator and, when ATENDIMENTO_ALERT_WEBHOOK_URL is set, POSTed there signed
with Standard Webhooks headers (and spatie's `Signature`) made with ATENDIMENTO_ALERT_WEBHOOK_SECRET.

Each send is its own job on the notifications lane, keyed by (alert, channel, recipient) so it is
queued once; transient failures are retried by the worker, permanent ones are logged and dropped.
The webhook carries a stable `webhook-id` and `Idempotency-Key`, so a retried POST is recognisable.
"""

from __future__ import annotations

import json
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from carinho import runtime
from carinho.atendimento.agents.models import Agent
from carinho.atendimento.agents.repository import AgentRepository
from carinho.atendimento.inbox.models import Alert
from carinho.connectors.email import EmailSender
from carinho.connectors.errors import ConnectorPermanentError
from carinho.connectors.signed_webhook import post_signed_json
from carinho.logging import get_logger
from carinho.worker import Lane, enqueue, job

log = get_logger(__name__)

FANOUT_JOB = "atendimento.alert_fanout"
EMAIL_JOB = "atendimento.alert_email"
WEBHOOK_JOB = "atendimento.alert_webhook"
TIMEZONE = ZoneInfo("America/Sao_Paulo")

KIND_LABELS = {
    "sla_at_risk": "SLA em risco",
    "sla_breached": "SLA violado",
    "sla_no_business_time": "SLA pausado: calendário sem horário de atendimento",
    "backlog_unassigned": "Fila sem responsável",
    "backlog_waiting": "Fila de espera",
    "backlog_growth": "Crescimento da fila",
    "send_failures": "Falhas de envio de mensagens",
    "message_send_failed": "Falha no envio de mensagem",
    "document_email_failed": "Falha no envio de documento",
    "emergency": "Emergência",
    "emergency_unreported": "Emergência não registrada",
    "emergency_unowned": "Emergência sem responsável",
    "emergency_delivery_failing": "Emergência ainda não entregue à operação",
    "emergency_delivery_failed": "Emergência não entregue à operação",
    "escalation_unassigned": "Escalonamento sem atendente disponível",
    "escalation_operacao_failed": "Escalonamento não comunicado à operação",
    "reassign_unavailable": "Sem atendente para reatribuir",
    "nps_detractor": "Cliente detrator no NPS",
}
SEVERITY_LABELS = {"info": "Informação", "warning": "Atenção", "error": "Urgente", "critical": "Crítico"}
DETAIL_LABELS = {
    "target": "Prazo",
    "priority": "Prioridade",
    "due_at": "Vencimento",
    "level": "Nível",
    "assignee_name": "Responsável",
    "overdue_business_minutes": "Atraso (minutos úteis)",
    "unassigned": "Sem responsável",
    "waiting": "Aguardando resposta",
    "baseline": "No início da janela",
    "threshold": "Limite",
    "window_minutes": "Janela (minutos)",
    "failed": "Falhas",
    "reason": "Motivo",
    "error": "Erro",
}
TARGET_LABELS = {
    "first_response": "Primeira resposta",
    "next_response": "Próxima resposta",
    "resolution": "Resolução",
}
PRIORITY_LABELS = {"low": "Baixa", "normal": "Normal", "high": "Alta", "urgent": "Urgente"}


async def schedule_fanout(session: AsyncSession, alert: Alert) -> None:
    await enqueue(
        session, FANOUT_JOB, {"alert_id": alert.id}, dedupe_key=f"atendimento:alert-fanout:{alert.id}"
    )


def _display(key: str, value: Any) -> str:
    if key == "target":
        return TARGET_LABELS.get(str(value), str(value))
    if key == "priority":
        return PRIORITY_LABELS.get(str(value), str(value))
    if key == "due_at" and isinstance(value, str):
        from datetime import datetime

        return datetime.fromisoformat(value).astimezone(TIMEZONE).strftime("%d/%m/%Y %H:%M")
    return str(value)


def email_context(alert: Alert, recipient: Agent) -> dict[str, Any]:
    settings = runtime.current().settings
    details = [
        (DETAIL_LABELS[key], _display(key, value))
        for key, value in (alert.details or {}).items()
        if key in DETAIL_LABELS and value is not None
    ]
    return {
        "title": alert.title,
        "recipient_name": recipient.name,
        "kind_label": KIND_LABELS.get(alert.kind, alert.kind),
        "severity_label": SEVERITY_LABELS.get(alert.severity, alert.severity),
        "created_at": alert.created_at.astimezone(TIMEZONE).strftime("%d/%m/%Y às %H:%M"),
        "conversation_id": alert.conversation_id,
        "details": details,
        "app_url": settings.atendimento_public_url
        or f"http://{settings.bind_host}:{settings.atendimento_port}",
    }


def webhook_body(alert: Alert) -> bytes:
    document = {
        "id": f"alert_{alert.id}",
        "type": f"atendimento.alert.{alert.kind}",
        "timestamp": alert.created_at.isoformat().replace("+00:00", "Z"),
        "data": {
            "alert_id": alert.id,
            "kind": alert.kind,
            "severity": alert.severity,
            "title": alert.title,
            "conversation_id": alert.conversation_id,
            "details": alert.details or {},
        },
    }
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode()


@job(FANOUT_JOB, context="atendimento", lane=Lane.notifications, max_attempts=5, time_limit_seconds=60)
async def fan_out_alert(session: AsyncSession, alert_id: int) -> None:
    alert = await session.get(Alert, alert_id)
    if alert is None:
        return
    for agent in await AgentRepository(session).active_supervisors_and_admins():
        await enqueue(
            session,
            EMAIL_JOB,
            {"alert_id": alert.id, "agent_id": agent.id},
            dedupe_key=f"atendimento:alert-email:{alert.id}:{agent.id}",
        )
    if runtime.current().settings.atendimento_alert_webhook_url:
        await enqueue(
            session, WEBHOOK_JOB, {"alert_id": alert.id}, dedupe_key=f"atendimento:alert-webhook:{alert.id}"
        )


@job(EMAIL_JOB, context="atendimento", lane=Lane.notifications, max_attempts=6, time_limit_seconds=60)
async def send_alert_email(session: AsyncSession, alert_id: int, agent_id: int) -> None:
    alert = await session.get(Alert, alert_id)
    agent = await session.get(Agent, agent_id)
    if alert is None or agent is None or not agent.active:
        return
    try:
        await EmailSender(runtime.current().settings).send(agent.email, "alert", email_context(alert, agent))
    except ConnectorPermanentError as exc:
        log.warning("atendimento.alert_email_rejected", alert_id=alert.id, agent_id=agent.id, error=str(exc))


@job(WEBHOOK_JOB, context="atendimento", lane=Lane.notifications, max_attempts=8, time_limit_seconds=60)
async def post_alert_webhook(session: AsyncSession, alert_id: int) -> None:
    settings = runtime.current().settings
    alert = await session.get(Alert, alert_id)
    url = settings.atendimento_alert_webhook_url
    if alert is None or not url:
        return
    message_id = f"alert_{alert.id}"
    secret = settings.atendimento_alert_webhook_secret.get_secret_value()
    response = await post_signed_json(
        url, secret, message_id, f"atendimento-{message_id}", webhook_body(alert)
    )
    if response.is_success:
        log.info("atendimento.alert_webhook_sent", alert_id=alert.id, status=response.status_code)
        return
    log.warning("atendimento.alert_webhook_rejected", alert_id=alert.id, status=response.status_code)
