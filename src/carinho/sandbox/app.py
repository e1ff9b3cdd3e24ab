"""The sandbox: stands in for the systems we cannot reach (Z-API, SMTP, the other Carinho systems).

`carinho serve sandbox` serves it alone; `carinho up` serves it on :8099 and points every connector
whose real URL is not configured at it (see `carinho.sandbox.defaults`). The SMTP sink listens on
SANDBOX_SMTP_PORT (0: any free port; negative: off).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from carinho.config import Settings, get_settings
from carinho.kit.web import add_common_middleware, install_error_handlers
from carinho.sandbox import clock, inspection, page, smtp
from carinho.sandbox.defaults import with_sandbox_defaults
from carinho.sandbox.gateway import SandboxGateway
from carinho.sandbox.state import SIMULATED_SYSTEMS, SandboxState
from carinho.sandbox.systems import (
    atendimento,
    common,
    crm,
    cuidadores,
    documentos,
    financeiro,
    marketing,
    operacao,
    site,
)
from carinho.sandbox.systems.seed import seed
from carinho.sandbox.zapi import api as zapi_api
from carinho.sandbox.zapi import inspect as zapi_inspect

SYSTEM_ROUTERS = (
    crm.router,
    operacao.router,
    financeiro.router,
    cuidadores.router,
    site.router,
    marketing.router,
    documentos.router,
    atendimento.webhooks,
    atendimento.router,
)


def create_app(settings: Settings | None = None, max_body_bytes: int = 10 * 1_048_576) -> FastAPI:
    if settings is None:
        settings, _ = with_sandbox_defaults(get_settings())
    state = SandboxState.from_settings(settings)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        await seed(state.store)
        sink = None
        if settings.sandbox_smtp_port >= 0:
            sink = smtp.SmtpSink(host=settings.bind_host, port=settings.sandbox_smtp_port)
            await sink.start()
            state.extras["smtp"] = sink
        try:
            yield
        finally:
            if sink is not None:
                await sink.stop()
            await state.zapi.close()
            await state.store.close()

    app = FastAPI(
        title="Carinho Sandbox",
        version="0.1.0",
        description="Simuladores locais do Z-API, do e-mail e dos sistemas da Carinho.",
        lifespan=lifespan,
    )
    app.state.sandbox = state
    add_common_middleware(app, max_body_bytes)
    app.add_middleware(
        SandboxGateway, systems=SIMULATED_SYSTEMS, faults=state.faults, recorder=state.recorder
    )
    install_error_handlers(app)
    common.install_laravel_errors(app)

    @app.get("/health", tags=["health"])
    async def health() -> dict[str, str]:
        return {"status": "ok", "service": "sandbox"}

    app.include_router(zapi_api.router)
    app.include_router(zapi_inspect.router)
    for router in SYSTEM_ROUTERS:
        app.include_router(router)
    app.include_router(smtp.router)
    app.include_router(clock.router)
    app.include_router(inspection.router)
    app.include_router(page.router)
    return app
