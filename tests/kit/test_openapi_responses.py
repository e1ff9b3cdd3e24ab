"""One place documents the errors every operation of an app can answer."""

from __future__ import annotations

from fastapi import FastAPI, Security
from fastapi.security import APIKeyHeader
from pydantic import BaseModel

from carinho.kit.openapi_responses import document_common_errors, documented

key = APIKeyHeader(name="X-API-Key", auto_error=False)


class Lead(BaseModel):
    name: str


def build_app() -> FastAPI:
    app = FastAPI()
    document_common_errors(app, {401: "No key", 429: "Too many"})

    @app.get("/public")
    async def public() -> dict[str, str]:
        return {}

    @app.post("/leads/{lead_id}", responses=documented({404: "No such lead"}))
    async def update(lead_id: int, lead: Lead, _: str | None = Security(key)) -> dict[str, str]:
        return {}

    return app


def test_each_operation_gets_the_errors_its_shape_can_answer() -> None:
    document = build_app().openapi()
    public = document["paths"]["/public"]["get"]["responses"]
    update = document["paths"]["/leads/{lead_id}"]["post"]["responses"]
    assert sorted(public) == ["200"]
    assert sorted(update) == ["200", "400", "401", "404", "409", "413", "422", "429"]
    assert update["404"]["description"] == "No such lead"  # the route's own words stay
    error = {"$ref": "#/components/schemas/ErrorResponse"}
    assert all(update[s]["content"]["application/json"]["schema"] == error for s in ("401", "404", "422"))
    assert "HTTPValidationError" not in document["components"]["schemas"]
