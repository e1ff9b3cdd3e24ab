"""The sandbox: stands in for the systems we cannot reach (Z-API, SMTP, the other Carinho systems)."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.responses import HTMLResponse

from carinho.kit.web import add_common_middleware, install_error_handlers

PAGE = """<!doctype html>
<html lang="pt-BR"><head><meta charset="utf-8"><title>Carinho — Sandbox</title></head>
<body><h1>Sandbox da Carinho</h1>
<p>Simuladores locais do Z-API, do e-mail e dos sistemas da Carinho.</p></body></html>"""


def create_app(max_body_bytes: int = 10 * 1_048_576) -> FastAPI:
    app = FastAPI(title="Carinho Sandbox", version="0.1.0")
    add_common_middleware(app, max_body_bytes)
    install_error_handlers(app)

    @app.get("/health", tags=["health"])
    async def health() -> dict[str, str]:
        return {"status": "ok", "service": "sandbox"}

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    async def home() -> str:
        return PAGE

    return app
