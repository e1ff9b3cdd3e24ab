"""The fast lane sits inside the app's middleware: every middleware the app has, or is given after the
lane was installed, runs around the lane's answers as around a route's, with no copy of its work."""

from __future__ import annotations

from typing import Any

from starlette.types import Receive, Scope, Send

from carinho.errors import BadRequest
from carinho.kit.fast_ingest.gateway import FastRequest, install_gateway
from carinho.runtime import Runtime
from carinho.service_app import create_service_app
from tests.conftest import asgi_client

PATH = "/fast/echo"


async def echo(request: FastRequest) -> tuple[int, bytes]:
    if request.body == b"refuse":
        raise BadRequest("refused")
    return 202, b'{"request_id":"' + (request.request_id or "").encode() + b'"}'


class Stamp:
    """A middleware given to the app after the lane: it marks every answer."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def stamped(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), (b"x-stamp", b"yes")]
            await send(message)

        await self.app(scope, receive, stamped)


async def test_middleware_added_before_or_after_the_lane_wraps_it(rt: Runtime) -> None:
    app = create_service_app(context="integracoes", title="lane", description="", rt=rt)
    install_gateway(app, {PATH: echo})
    app.add_middleware(Stamp)
    limit = rt.settings.carinho_max_body_bytes
    async with asgi_client(app, "http://lane.test") as client:
        answered = await client.post(PATH, content=b"{}", headers={"X-Request-ID": "req-lane"})
        refused = await client.post(PATH, content=b"refuse")
        too_large = await client.post(PATH, content=b"x" * (limit + 1))
        elsewhere = await client.get("/health")
    # The app's own middleware (request id) and the one added later (stamp) both ran around the lane.
    assert answered.status_code == 202
    assert answered.json() == {"request_id": "req-lane"}
    assert answered.headers["x-request-id"] == "req-lane"
    assert answered.headers["x-stamp"] == "yes"
    # A CarinhoError is the API's JSON error; the body limit is the app's middleware's 413.
    assert refused.status_code == 400 and refused.json()["request_id"] == refused.headers["x-request-id"]
    assert too_large.status_code == 413 and too_large.headers["x-stamp"] == "yes"
    assert elsewhere.status_code == 200 and elsewhere.headers["x-stamp"] == "yes"
