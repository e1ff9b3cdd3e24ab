"""The contact center's FastAPI app."""

from __future__ import annotations

from fastapi import FastAPI

from carinho.kit.app import create_service_app
from carinho.runtime import Runtime

DESCRIPTION = (
    "Central de atendimento da Carinho com Você: caixa de entrada do WhatsApp, funil de leads, "
    "triagem, SLA, escalonamento, ocorrências e pesquisa de satisfação."
)


def create_app(rt: Runtime | None = None) -> FastAPI:
    app = create_service_app(
        context="atendimento", title="Carinho Atendimento", description=DESCRIPTION, rt=rt
    )
    from carinho.atendimento.api import ROUTERS

    for router in ROUTERS:
        app.include_router(router)
    return app
