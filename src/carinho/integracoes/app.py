"""The integration hub's FastAPI app."""

from __future__ import annotations

from fastapi import FastAPI

from carinho.integracoes.console.errors import render_error
from carinho.integracoes.console.routes import PAGE_ROUTERS
from carinho.integracoes.dlq.endpoints import router as dlq_router
from carinho.integracoes.events.endpoints import router as events_router
from carinho.integracoes.feedback.endpoints import router as feedback_router
from carinho.integracoes.flows.endpoints import router as event_retry_router
from carinho.integracoes.mappings.endpoints import router as mappings_router
from carinho.integracoes.ops import metrics as hub_metrics
from carinho.integracoes.privacy.endpoints import router as privacy_router
from carinho.integracoes.status.endpoints import router as status_router
from carinho.integracoes.sync.endpoints import router as sync_router
from carinho.integracoes.webhook_endpoints.endpoints import router as webhook_endpoints_router
from carinho.integracoes.webhooks.endpoints import router as webhooks_router
from carinho.integracoes.webhooks.receiver import gateway_handlers
from carinho.kit.fast_ingest.gateway import install_gateway
from carinho.kit.ui import mount_static
from carinho.runtime import Runtime
from carinho.service_app import create_service_app

DESCRIPTION = (
    "Hub de integrações da Carinho com Você: recebe webhooks (Z-API, site, CRM, operação, "
    "financeiro, cuidadores), executa as automações e entrega aos sistemas de destino com "
    "retentativas e fila de mensagens mortas (DLQ)."
)


def create_app(rt: Runtime | None = None) -> FastAPI:
    app = create_service_app(
        context="integracoes",
        title="Carinho Integrações",
        description=DESCRIPTION,
        rt=rt,
        html_errors=render_error,
        metrics_refresh=hub_metrics.refresh,
        auth_errors={
            401: "Missing, invalid or revoked X-API-Key",
            429: "Over the per-key rate limit; see Retry-After",
        },
    )
    app.include_router(webhooks_router)
    app.include_router(events_router)
    app.include_router(event_retry_router)
    app.include_router(webhook_endpoints_router)
    app.include_router(dlq_router)
    app.include_router(mappings_router)
    app.include_router(sync_router)
    app.include_router(feedback_router)
    app.include_router(privacy_router)
    app.include_router(status_router)
    for router in PAGE_ROUTERS:
        app.include_router(router)
    mount_static(app)
    runtime: Runtime = app.state.runtime
    if runtime.settings.ingest_fast_path:  # the webhooks' fast lane (kit/fast_ingest)
        install_gateway(app, gateway_handlers(app))
    return app
