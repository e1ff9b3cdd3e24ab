"""What every app shares: clear JSON errors, a body size limit, request ids."""

from __future__ import annotations

import httpx
import pytest
from fastapi import FastAPI
from pydantic import BaseModel

from carinho.errors import Conflict
from carinho.kit.web import add_common_middleware, install_error_handlers


class Lead(BaseModel):
    name: str
    age: int


def build_app() -> FastAPI:
    app = FastAPI()
    add_common_middleware(app, max_body_bytes=1024)
    install_error_handlers(app)

    @app.post("/leads")
    async def create(lead: Lead) -> dict[str, str]:
        return {"name": lead.name}

    @app.get("/conflict")
    async def conflict() -> None:
        raise Conflict("lead já existe")

    @app.get("/boom")
    async def boom() -> None:
        raise RuntimeError("secret internals /srv/app.py line 12")

    return app


@pytest.fixture
async def client() -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=build_app(), raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as c:
        yield c


async def test_validation_errors_list_the_fields(client: httpx.AsyncClient) -> None:
    response = await client.post("/leads", json={"name": "Ana", "age": "muitos"})
    assert response.status_code == 422
    body = response.json()
    assert body["error"] == "validation_error"
    assert [d["field"] for d in body["details"]] == ["age"]


async def test_a_body_that_is_not_even_utf8_is_a_422_like_any_invalid_json(client: httpx.AsyncClient) -> None:
    not_utf8 = b"nK\xed}\x11"
    response = await client.post("/leads", content=not_utf8, headers={"content-type": "application/json"})
    assert response.status_code == 422
    assert response.json()["error"] == "validation_error"


async def test_domain_errors_keep_their_status(client: httpx.AsyncClient) -> None:
    response = await client.get("/conflict")
    assert response.status_code == 409
    assert response.json()["message"] == "lead já existe"


async def test_unexpected_errors_never_leak_a_stack_trace(client: httpx.AsyncClient) -> None:
    response = await client.get("/boom")
    assert response.status_code == 500
    assert response.json()["error"] == "internal_error"
    assert "secret internals" not in response.text and "Traceback" not in response.text
    assert response.json()["request_id"] == response.headers["x-request-id"]


async def test_bodies_over_the_limit_get_413(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/leads", content=b"{" + b" " * 2048 + b"}", headers={"content-type": "application/json"}
    )
    assert response.status_code == 413
    assert response.json()["error"] == "payload_too_large"


async def test_streamed_bodies_over_the_limit_get_413(client: httpx.AsyncClient) -> None:
    async def chunks():  # no Content-Length: the limit is enforced while reading
        for _ in range(10):
            yield b" " * 200

    response = await client.post("/leads", content=chunks(), headers={"content-type": "application/json"})
    assert response.status_code == 413


async def test_unknown_routes_are_json_404(client: httpx.AsyncClient) -> None:
    response = await client.get("/nope")
    assert response.status_code == 404 and response.json()["error"] == "not_found"


async def test_request_id_is_taken_from_the_caller_or_made(client: httpx.AsyncClient) -> None:
    given = await client.get("/conflict", headers={"x-request-id": "abc-123"})
    assert given.headers["x-request-id"] == "abc-123"
    made = await client.get("/conflict")
    assert len(made.headers["x-request-id"]) == 32


async def test_a_page_shows_a_service_message_even_without_accents_but_never_a_framework_one() -> None:
    from fastapi import Request
    from fastapi.responses import PlainTextResponse, Response

    from carinho.errors import BadRequest
    from carinho.kit.ui.errors import readable

    async def html(request: Request, status: int, message: str) -> Response:
        ours = getattr(request.state, "error_message_for_people", False)
        return PlainTextResponse(readable(status, message, for_people=ours), status_code=status)

    app = FastAPI()
    install_error_handlers(app, html)

    @app.get("/perdido")
    async def lost() -> None:
        raise BadRequest("Informe o motivo da perda para marcar a conversa como Perdido.")

    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(
        transport=transport, base_url="http://t", headers={"accept": "text/html"}
    ) as c:
        refused = await c.get("/perdido")
        missing = await c.get("/nada")
    assert refused.text == "Informe o motivo da perda para marcar a conversa como Perdido."
    assert missing.status_code == 404 and missing.text == "O endereço não existe ou o item foi removido."
