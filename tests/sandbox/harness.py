"""The sandbox on a real socket, a webhook receiver, and settings that point clients at them."""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from carinho.config import CARINHO_SYSTEMS, Settings
from carinho.sandbox.app import create_app
from carinho.sandbox.serving import serve_app
from carinho.sandbox.state import SandboxState


def sandbox_settings(data_dir: Path, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "carinho_env": "test",
        "carinho_data_dir": data_dir,
        "redis_url": "",
        "zapi_instance_id": secrets.token_hex(16).upper(),
        "zapi_token": secrets.token_hex(12).upper(),
        "zapi_client_token": "F" + secrets.token_hex(16) + "S",
        "zapi_webhook_secret": "test-zapi-secret",
        "zapi_send_rate_per_minute": 10_000,
        "sandbox_callback_delay_seconds": 0,
        "sandbox_zapi_webhook_url": "",
        # generous: the sandbox serves on the test's own event loop, which a loaded full run can starve
        # for seconds (a 5 s limit once timed out a plain GET); tests of timeouts set their own
        "connector_timeout_seconds": 30,
        "sandbox_smtp_port": 0,
        "bind_host": "127.0.0.1",
    }
    values.update({f"carinho_{s}_api_key": f"key-{s}-{secrets.token_hex(4)}" for s in CARINHO_SYSTEMS})
    values.update(overrides)
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


@dataclass
class RunningSandbox:
    url: str
    state: SandboxState
    settings: Settings  # what a client uses: every URL points at this sandbox

    def client_settings(self, **overrides: Any) -> Settings:
        return revalidated(self.settings, **overrides)


def revalidated(settings: Settings, **overrides: Any) -> Settings:
    """A copy with overrides validated like the environment would be (SecretStr and all)."""
    return Settings(_env_file=None, **{**settings.model_dump(), **overrides})  # type: ignore[call-arg]


@asynccontextmanager
async def running_sandbox(settings: Settings) -> AsyncIterator[RunningSandbox]:
    app = create_app(settings)
    async with serve_app(app) as url:
        app.state.sandbox.zapi.public_url = url  # the port is only known now
        update: dict[str, Any] = {"zapi_base_url": f"{url}/zapi"}
        update.update({f"carinho_{s}_url": f"{url}/{s}" for s in CARINHO_SYSTEMS})
        sink = app.state.sandbox.extras.get("smtp")
        if sink is not None:
            update.update(mail_host="127.0.0.1", mail_port=sink.port)
        yield RunningSandbox(url=url, state=app.state.sandbox, settings=revalidated(settings, **update))


@dataclass
class WebhookReceiver:
    """Stands in for the hub's /webhooks/whatsapp: records what it gets, answers `status`."""

    url: str = ""
    received: list[dict[str, Any]] = field(default_factory=list)
    headers: list[dict[str, str]] = field(default_factory=list)
    status: int = 200

    async def wait_for(self, predicate: Any, timeout: float = 10.0) -> list[dict[str, Any]]:
        async with asyncio.timeout(timeout):
            while True:
                matching = [p for p in self.received if predicate(p)]
                if matching:
                    return matching
                await asyncio.sleep(0.01)


@asynccontextmanager
async def running_receiver() -> AsyncIterator[WebhookReceiver]:
    receiver = WebhookReceiver()
    app = FastAPI()

    @app.post("/webhooks/whatsapp")
    async def webhook(request: Request) -> JSONResponse:
        receiver.received.append(await request.json())
        receiver.headers.append(dict(request.headers))
        return JSONResponse({"ok": True}, status_code=receiver.status)

    async with serve_app(app) as url:
        receiver.url = f"{url}/webhooks/whatsapp?token=test-zapi-secret"
        yield receiver
