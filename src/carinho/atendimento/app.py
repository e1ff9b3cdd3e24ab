"""The contact center's FastAPI app."""

from __future__ import annotations

from fastapi import FastAPI

from carinho.kit.ui import mount_static
from carinho.runtime import Runtime
from carinho.service_app import create_service_app

DESCRIPTION = (
    "Central de atendimento da Carinho com Você: caixa de entrada do WhatsApp, funil de leads, "
    "triagem, SLA, escalonamento, ocorrências e pesquisa de satisfação."
)


def create_app(rt: Runtime | None = None) -> FastAPI:
    from carinho.atendimento.web.errors import render_error

    app = create_service_app(
        context="atendimento",
        title="Carinho Atendimento",
        description=DESCRIPTION,
        rt=rt,
        html_errors=render_error,
        auth_errors={
            401: "Autenticação necessária (token, sessão ou chave ausente, inválido ou expirado)",
            403: "O papel de quem chama não permite esta ação",
        },
    )
    from carinho.atendimento.api import ROUTERS
    from carinho.atendimento.web.routes import PAGE_ROUTERS

    for router in [*ROUTERS, *PAGE_ROUTERS]:
        app.include_router(router)
    mount_static(app)
    return app
