"""Every page router of atendimento (the app includes this one list, after the JSON API's)."""

from __future__ import annotations

from fastapi import APIRouter

from carinho.atendimento.web import (
    account,
    audit,
    conversation,
    conversation_panel,
    dashboard,
    inbox,
    privacy,
    settings_escalation,
    settings_hours,
    settings_labels,
    settings_loss_reasons,
    settings_nav,
    settings_retention,
    settings_sla,
    settings_templates,
    settings_triage,
    sla_panel,
    supervision_funnel,
    supervision_incidents,
    supervision_satisfaction,
    team,
)

PAGE_ROUTERS: list[APIRouter] = [
    account.router,
    inbox.router,
    conversation.router,
    conversation_panel.router,
    team.router,
    settings_nav.router,
    settings_templates.router,
    settings_hours.router,
    audit.router,
    privacy.router,
    supervision_funnel.router,
    supervision_incidents.router,
    supervision_satisfaction.router,
    sla_panel.router,
    dashboard.router,
    settings_sla.router,
    settings_escalation.router,
    settings_triage.router,
    settings_labels.router,
    settings_loss_reasons.router,
    settings_retention.router,
]
