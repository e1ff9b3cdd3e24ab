"""ASGI middleware in front of every simulated system (`/zapi/...`, `/crm/...`, ...): records the
request, then applies that system's faults before (or instead of) the simulator answering."""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from carinho.sandbox.faults import FaultDecision, FaultState, decide
from carinho.sandbox.recorder import Recorder

_TOKEN_IN_PATH = re.compile(r"(/token/)[^/]+")


class SandboxGateway:
    def __init__(
        self, app: ASGIApp, *, systems: tuple[str, ...], faults: dict[str, FaultState], recorder: Recorder
    ) -> None:
        self.app = app
        self.systems = systems
        self.faults = faults
        self.recorder = recorder

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        system = _system_of(scope, self.systems)
        if system is None:
            await self.app(scope, receive, send)
            return
        raw = await _read_body(receive)
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        entry = self.recorder.record(
            system,
            scope["method"],
            _TOKEN_IN_PATH.sub(r"\1***", scope["path"]),
            scope.get("query_string", b"").decode(),
            headers,
            raw,
        )
        decision = decide(self.faults[system])
        if decision.latency_seconds:
            await asyncio.sleep(decision.latency_seconds)
        if decision.hang_seconds is not None:
            entry.fault = "timeout"
            state = self.faults[system]
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(state.released.wait(), timeout=decision.hang_seconds)
        if decision.down:
            entry.fault, entry.status = "down", 503
            await _respond(send, 503, _down_body(system), None)
            return
        if decision.fail_status is not None:
            entry.fault, entry.status = "fail", decision.fail_status
            body = decision.fail_body or _fail_body(system, decision.fail_status)
            await _respond(send, decision.fail_status, body, decision)
            return

        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": raw, "more_body": False}
            return await receive()

        async def capture(message: Message) -> None:
            if message["type"] == "http.response.start":
                entry.status = message["status"]
            await send(message)

        await self.app(scope, replay, capture)


def _system_of(scope: Scope, systems: tuple[str, ...]) -> str | None:
    if scope["type"] != "http":
        return None
    first = scope["path"].strip("/").split("/", 1)[0]
    return first if first in systems else None


async def _read_body(receive: Receive) -> bytes:
    chunks: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunks.append(message.get("body", b""))
        if not message.get("more_body"):
            break
    return b"".join(chunks)


def _fail_body(system: str, status: int) -> dict[str, Any]:
    if system == "zapi":
        return {"error": f"Simulated failure {status}"}
    return {"message": f"Falha simulada ({status})."}


def _down_body(system: str) -> dict[str, Any]:
    if system == "zapi":
        return {"error": "Service Unavailable"}
    # What Laravel answers in maintenance mode (`php artisan down`).
    return {"message": "Service Unavailable"}


async def _respond(send: Send, status: int, body: dict[str, Any], decision: FaultDecision | None) -> None:
    payload = json.dumps(body).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(payload)).encode())]
    if decision is not None and decision.retry_after is not None:
        headers.append((b"retry-after", str(decision.retry_after).encode()))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": payload})
