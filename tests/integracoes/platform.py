"""The hub served on a real socket, wired to the sandbox simulators (also on a real socket), with the
default mappings seeded: what the end-to-end tests of the business flows and syncs run against.

Jobs run deterministically with `drain`; Z-API callbacks the simulator fires in the background reach
the hub over HTTP, so `settle()` waits for them before draining again.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from carinho import runtime
from carinho.config import Settings
from carinho.integracoes.apikeys.service import api_key_service
from carinho.integracoes.app import create_app
from carinho.integracoes.events.models import IntegrationEvent
from carinho.integracoes.mappings.service import mapping_service
from carinho.kit import clock, signatures
from carinho.runtime import DatabaseCache, Runtime
from carinho.sandbox.serving import serve_app
from tests.sandbox.harness import RunningSandbox, revalidated, running_sandbox, sandbox_settings
from tests.support.jobs import drain

ZAPI_SECRET = "test-zapi-secret"
# An event whose step failed is retried after this wait, of the clock the tests move (`retry_later`).
# The clock also runs in real time: the wait is long enough that no run of jobs on a busy machine
# (parallel workers) lasts so long that the retry comes due on its own before the test moves it.
RETRY_WAIT_SECONDS = 120


@dataclass
class Platform:
    rt: Runtime
    settings: Settings
    hub: httpx.AsyncClient
    hub_url: str
    sandbox: RunningSandbox
    box: httpx.AsyncClient  # the sandbox's HTTP API
    auth: dict[str, str]

    # ------------------------------------------------------------------ jobs

    async def settle(self) -> None:
        await self.sandbox.state.zapi.idle()

    async def run_jobs(self, rounds: int = 10) -> None:
        """Drain every due job, letting the simulator's callbacks reach the hub, until all is quiet."""
        for _ in range(rounds):
            await self.settle()
            if not await drain(self.rt):
                await self.settle()
                if not await drain(self.rt):
                    return
        raise AssertionError("jobs keep coming")

    async def retry_later(self, seconds: float = RETRY_WAIT_SECONDS + 1) -> None:
        """Move the clock past the event retry wait and run what became due."""
        clock.advance(timedelta(seconds=seconds))
        await self.run_jobs()

    # -------------------------------------------------------------- sandbox

    async def fault(self, system: str, **values: Any) -> None:
        response = await self.box.put(f"/_sandbox/{system}/faults", json=values)
        assert response.status_code == 200, response.text

    async def received(
        self, system: str, method: str | None = None, path: str | None = None
    ) -> list[dict[str, Any]]:
        """What a simulated system received, oldest first (including requests a fault refused)."""
        items = (await self.box.get(f"/_sandbox/{system}/requests", params={"limit": 1000})).json()
        return [
            r
            for r in reversed(items)
            if (method is None or r["method"] == method) and (path is None or r["path"].endswith(path))
        ]

    async def accepted(self, system: str, method: str, path: str) -> list[dict[str, Any]]:
        """Only the requests the simulator answered with a 2xx (a fault's refusals left out)."""
        return [
            r for r in await self.received(system, method, path) if r["fault"] is None and r["status"] < 300
        ]

    async def whatsapp_sent(self, phone: str) -> list[dict[str, Any]]:
        return list((await self.box.get("/_sandbox/zapi/messages", params={"phone": phone})).json())

    async def mails(self, to: str) -> list[dict[str, Any]]:
        return list((await self.box.get("/_sandbox/smtp/messages", params={"to": to})).json())

    async def phone_sends(self, phone: str, text: str, sender_name: str = "Cliente") -> dict[str, Any]:
        response = await self.box.post(
            "/_sandbox/zapi/phone/messages", json={"phone": phone, "text": text, "sender_name": sender_name}
        )
        assert response.status_code == 200, response.text
        delivery = response.json()
        assert delivery["status"] == 202, delivery
        return dict(delivery["payload"])

    # ------------------------------------------------------------------- hub

    async def post_signed(self, path: str, source: str, data: dict[str, Any]) -> httpx.Response:
        body = json.dumps(data, ensure_ascii=True).replace("/", "\\/").encode()
        secret = self.settings.webhook_secret(source)
        headers = {"Content-Type": "application/json", "Signature": signatures.hmac_hex(secret, body)}
        return await self.hub.post(path, content=body, headers=headers)

    async def post_zapi(self, data: dict[str, Any]) -> httpx.Response:
        return await self.hub.post("/webhooks/whatsapp", params={"token": ZAPI_SECRET}, json=data)

    async def events(self, event_type: str | None = None) -> list[IntegrationEvent]:
        async with self.rt.db("integracoes").session() as session:
            stmt = select(IntegrationEvent).order_by(IntegrationEvent.id)
            if event_type:
                stmt = stmt.where(IntegrationEvent.event_type == event_type)
            return list((await session.execute(stmt)).scalars())

    async def restart(self) -> None:
        """A new process on the same databases: a fresh Runtime (the old one's state is gone)."""
        for db in self.rt.databases.values():
            await db.dispose()
        self.rt = runtime.configure(self.settings)


def hub_settings(settings: Settings, sandbox: RunningSandbox, **overrides: Any) -> Settings:
    values = {
        key: value
        for key, value in sandbox.settings.model_dump().items()
        if key.startswith(("carinho_", "zapi_", "mail_")) and not key.startswith("carinho_data_dir")
    }
    for key in ("carinho_env", "carinho_max_body_bytes", "carinho_job_modules", "carinho_log_level"):
        values.pop(key, None)
    values.update(
        event_retry_schedule_seconds=",".join([str(RETRY_WAIT_SECONDS)] * 4),
        webhook_retry_jitter=0.0,
        feedback_request_delay_seconds=7200,
        sandbox_enabled=False,
        **overrides,
    )
    return revalidated(settings, **values)


@pytest.fixture
async def platform(rt: Runtime, shared_databases: DatabaseCache, tmp_path: Path) -> AsyncIterator[Platform]:
    """The hub on a real socket with the sandbox as its systems, on `rt`'s emptied databases (and the
    worker's shared Database objects: tests/conftest.py)."""
    sandbox_config = sandbox_settings(tmp_path / "sandbox", zapi_webhook_secret=ZAPI_SECRET)
    async with running_sandbox(sandbox_config) as sandbox:
        configured = hub_settings(rt.settings, sandbox)
        rt = runtime.configure(configured, databases=shared_databases)
        async with rt.db("integracoes").session() as session:
            _, key = await api_key_service.create(session, "e2e")
            await mapping_service.seed_defaults(session)
            await session.commit()
        app = create_app(rt)
        try:
            async with serve_app(app) as hub_url:
                sandbox.state.zapi.webhooks = dict.fromkeys(
                    sandbox.state.zapi.webhooks, f"{hub_url}/webhooks/whatsapp?token={ZAPI_SECRET}"
                )
                async with (
                    httpx.AsyncClient(base_url=hub_url, timeout=30) as hub,
                    httpx.AsyncClient(base_url=sandbox.url, timeout=30) as box,
                ):
                    platform = Platform(rt, configured, hub, hub_url, sandbox, box, {"X-API-Key": key})
                    yield platform
                    await platform.settle()
        finally:
            clock.reset()
            for db in runtime.current().databases.values():
                await db.dispose()
