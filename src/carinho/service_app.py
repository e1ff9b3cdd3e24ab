"""Builds a FastAPI app with everything our services share: on top of the kit, it takes the
process's runtime (settings, databases, brokers) for its health checks and metrics."""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from contextlib import asynccontextmanager

from fastapi import FastAPI
from prometheus_client import make_asgi_app
from starlette.types import ASGIApp, Receive, Scope, Send

from carinho import runtime
from carinho.health import build_health_router
from carinho.kit.api_docs import add_offline_docs
from carinho.kit.openapi_responses import document_common_errors
from carinho.kit.web import HtmlErrorRenderer, add_common_middleware, install_error_handlers
from carinho.logging import get_logger
from carinho.runtime import Runtime

log = get_logger(__name__)


def create_service_app(
    *,
    context: str,
    title: str,
    description: str,
    rt: Runtime | None = None,
    html_errors: HtmlErrorRenderer | None = None,
    metrics_refresh: Callable[[Runtime], Awaitable[None]] | None = None,
    auth_errors: Mapping[int, str] | None = None,
) -> FastAPI:
    """`auth_errors`: what the app answers a caller its security refuses, documented on every
    operation that declares security (kit/openapi_responses.py)."""
    rt = rt or runtime.ensure_configured()
    app = FastAPI(
        # We export Prometheus metrics and structlog lines, not OpenTelemetry: off, FastAPI no longer
        # asks OpenTelemetry's global providers at every request (~µs on each webhook).
        telemetry={"tracing": False, "metrics": False, "logs": False},
        title=title,
        description=description,
        version="0.1.0",
        lifespan=_freeze_startup_heap,
        docs_url=None,
        redoc_url=None,
    )
    app.state.runtime = rt
    add_offline_docs(app)
    add_common_middleware(app, rt.settings.carinho_max_body_bytes)
    install_error_handlers(app, html_errors)
    document_common_errors(app, auth_errors or {})
    app.include_router(build_health_router(context))
    app.mount("/metrics", _metrics_app(app, metrics_refresh))
    return app


def _metrics_app(service: FastAPI, refresh: Callable[[Runtime], Awaitable[None]] | None) -> ASGIApp:
    """prometheus-client's app; with `refresh`, the context's gauges are read from its database first
    (a failure is logged and the scrape still answers, with the gauges as they were). The runtime is
    the app's at each scrape, like every route's (`app.state.runtime`)."""
    metrics = make_asgi_app()
    if refresh is None:
        return metrics

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            try:
                await refresh(service.state.runtime)
            except Exception as exc:
                log.warning("metrics.refresh_failed", error=f"{type(exc).__name__}")
        await metrics(scope, receive, send)

    return app


@asynccontextmanager
async def _freeze_startup_heap(_: FastAPI) -> AsyncIterator[None]:
    """What exists when the first app of the process starts (modules, models, routes, metadata: about
    a million objects) lives as long as the process. Frozen, the collector stops walking it: unfrozen,
    every full collection did, holding the event loop ~120 ms each (the ingest's p99 at saturation).
    Once per process: a second freeze would pin whatever a test or a restart left behind."""
    global _heap_frozen
    if not _heap_frozen:
        _heap_frozen = True
        gc.collect()
        gc.freeze()
    yield


_heap_frozen = False
