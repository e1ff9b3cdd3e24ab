"""Every JSON router of atendimento (the app includes this one list)."""

from __future__ import annotations

from fastapi import APIRouter

from carinho.atendimento.agents.endpoints import agents_router, auth_router
from carinho.atendimento.automations.endpoints import router as automations_router
from carinho.atendimento.escalation.endpoints import router as escalation_router
from carinho.atendimento.funnel.endpoints import router as funnel_router
from carinho.atendimento.history.endpoints import router as history_router
from carinho.atendimento.inbox.endpoints import alerts_router, messages_router
from carinho.atendimento.inbox.endpoints import router as conversations_router
from carinho.atendimento.inbox.webhook import router as webhook_router
from carinho.atendimento.incidents.endpoints import router as incidents_router
from carinho.atendimento.labels.endpoints import router as labels_router
from carinho.atendimento.live.endpoints import router as live_router
from carinho.atendimento.metrics.endpoints import router as metrics_router
from carinho.atendimento.retention.endpoints import router as retention_router
from carinho.atendimento.satisfaction.endpoints import public_router as satisfaction_public_router
from carinho.atendimento.satisfaction.endpoints import router as satisfaction_router
from carinho.atendimento.sla.endpoints import router as sla_router
from carinho.atendimento.templates.endpoints import router as templates_router
from carinho.atendimento.triage.endpoints import router as triage_router
from carinho.atendimento.working_hours.endpoints import router as working_hours_router

ROUTERS: list[APIRouter] = [
    auth_router,
    agents_router,
    conversations_router,
    messages_router,
    alerts_router,
    labels_router,
    templates_router,
    automations_router,
    funnel_router,
    triage_router,
    working_hours_router,
    history_router,
    sla_router,
    escalation_router,
    incidents_router,
    satisfaction_router,
    satisfaction_public_router,
    retention_router,
    metrics_router,
    webhook_router,
    live_router,
]
