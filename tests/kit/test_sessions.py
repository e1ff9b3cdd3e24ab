"""The request's session: committed when the endpoint answers, rolled back when it answered by
refusing (a page's form drawn again with a 422), so a refused form never saves half of itself."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from fastapi import Depends, FastAPI, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from carinho.atendimento.labels.models import Label
from carinho.kit.sessions import session_dependency
from carinho.kit.ui.pages import Pages
from carinho.runtime import Runtime
from tests.conftest import asgi_client

Session = Annotated[AsyncSession, Depends(session_dependency("atendimento"))]


def _app(rt: Runtime) -> FastAPI:
    app = FastAPI()
    app.state.runtime = rt
    pages = Pages(app_name="Teste", template_dir=Path(__file__).parent)

    @app.post("/salvar/{name}")
    async def save(name: str, session: Session) -> Response:
        session.add(Label(name=name))
        return HTMLResponse("ok")

    @app.post("/recusar/{name}")
    async def refuse(name: str, request: Request, session: Session) -> Response:
        session.add(Label(name=name))  # a service changed something, then its check refused
        await session.flush()
        context = {"heading": "Dados inválidos", "message": "Corrija o nome.", "request_id": "", "home": "/"}
        return pages.render(request, "ui/error.html", status_code=422, status=422, **context)

    return app


async def test_a_refused_form_saves_nothing_and_an_accepted_one_everything(rt: Runtime) -> None:
    async with asgi_client(_app(rt), "http://t") as client:
        assert (await client.post("/recusar/urgente")).status_code == 422
        assert (await client.post("/salvar/retorno")).status_code == 200
    async with rt.db("atendimento").session() as session:
        names = set((await session.execute(select(Label.name))).scalars())
    assert "retorno" in names and "urgente" not in names
