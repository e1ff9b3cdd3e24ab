"""The platform as `carinho up` wires it, in the test's event loop: the sandbox's Z-API posts its
callbacks to the hub, the hub forwards them to the real atendimento, atendimento sends through the
sandbox's Z-API. Each app on a real socket; jobs of both contexts run deterministically.

    async with wired(settings, tmp_path) as platform:
        await platform.phone_sends("5511955550000", "Olá")
        await platform.run_jobs()
"""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import delete

from carinho import runtime
from carinho.atendimento.agents.models import Role, SupportLevel
from carinho.atendimento.agents.service import agent_service
from carinho.atendimento.seed import seed_defaults
from carinho.atendimento.working_hours import holidays_provider
from carinho.atendimento.working_hours.service import working_hours_service
from carinho.config import Settings
from carinho.integracoes.apikeys.service import api_key_service, new_plaintext
from carinho.integracoes.mappings.service import mapping_service
from carinho.kit import clock
from carinho.runtime import CONTEXTS, Runtime
from carinho.sandbox.serving import serve_app
from tests.atendimento.conftest import Api
from tests.integracoes.platform import ZAPI_SECRET, hub_settings
from tests.sandbox.harness import RunningSandbox, running_sandbox, sandbox_settings
from tests.support.jobs import drain


@dataclass
class Wired:
    rt: Runtime
    sandbox: RunningSandbox
    box: httpx.AsyncClient  # the sandbox's HTTP API
    atendimento: httpx.AsyncClient  # atendimento's API, on its socket
    hub_url: str
    hub_key: str  # atendimento's key to the hub, good for the tests' own calls too

    def hub(self) -> httpx.AsyncClient:
        return httpx.AsyncClient(base_url=self.hub_url, timeout=30)

    async def settle(self) -> None:
        """Wait for the callbacks the simulated Z-API fires in the background."""
        await self.sandbox.state.zapi.idle()

    async def run_jobs(self, rounds: int = 40) -> None:
        """Drain the jobs of both contexts, letting Z-API's callbacks reach the hub, until all is quiet."""
        for _ in range(rounds):
            await self.settle()
            if not await drain(self.rt):
                await self.settle()
                if not await drain(self.rt):
                    return
        raise AssertionError("jobs keep coming")

    async def phone_sends(self, phone: str, text: str, sender_name: str = "Cliente") -> dict[str, Any]:
        response = await self.box.post(
            "/_sandbox/zapi/phone/messages", json={"phone": phone, "text": text, "sender_name": sender_name}
        )
        assert response.status_code == 200, response.text
        delivery = response.json()
        assert delivery["status"] == 202, delivery  # the hub accepted the callback
        return dict(delivery["payload"])

    async def phone_received(self, phone: str) -> list[str]:
        """The texts the customer's phone got, in the order Z-API accepted them."""
        sent = (await self.box.get("/_sandbox/zapi/messages", params={"phone": phone})).json()
        return [m["body"].get("message") or m["body"].get("caption") or "" for m in sent]

    async def agent(
        self, role: Role = Role.supervisor, level: SupportLevel = SupportLevel.n1, name: str = "Sandra Lima"
    ) -> Api:
        async with self.rt.db("atendimento").session() as session:
            agent, _ = await agent_service.create(
                session,
                name=name,
                email=f"{name.split()[0].lower()}.{role.value}.{level.value}@carinho.test",
                role=role,
                level=level,
            )
            await session.commit()
        return Api(self.atendimento, agent.id, self.rt.settings.session_secret.get_secret_value())


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def _clean(rt: Runtime) -> None:
    for ctx in CONTEXTS:
        metadata = rt.spec(ctx).metadata
        async with rt.db(ctx).session() as session:
            for table in reversed(metadata.sorted_tables):
                await session.execute(delete(table))
            await session.commit()


@asynccontextmanager
async def wired(settings: Settings, tmp_path: Path, **overrides: Any) -> AsyncIterator[Wired]:
    from carinho.atendimento.app import create_app as atendimento_app
    from carinho.integracoes.app import create_app as hub_app

    config = sandbox_settings(tmp_path / "sandbox", zapi_webhook_secret=ZAPI_SECRET)
    async with running_sandbox(config) as sandbox:
        port, hub_port = _free_port(), _free_port()
        atendimento_url = f"http://127.0.0.1:{port}"
        hub_key = new_plaintext()
        # The hub forwards to this atendimento and atendimento reaches this hub (as `carinho up`
        # wires them); one runtime for all three.
        rt = runtime.configure(
            hub_settings(
                settings,
                sandbox,
                carinho_atendimento_url=atendimento_url,
                carinho_integracoes_url=f"http://127.0.0.1:{hub_port}",
                carinho_integracoes_api_key=hub_key,
                **overrides,
            )
        )
        await _clean(rt)
        async with rt.db("integracoes").session() as session:
            await api_key_service.register(session, "atendimento", hub_key)
            await session.commit()
        working_hours_service.invalidate()
        holidays_provider.clear_cache()
        async with rt.db("atendimento").session() as session:
            await seed_defaults(session)
            await session.commit()
        working_hours_service.invalidate()
        async with rt.db("integracoes").session() as session:
            await mapping_service.seed_defaults(session)
            await session.commit()
        try:
            async with (
                serve_app(atendimento_app(rt), port=port),
                serve_app(hub_app(rt), port=hub_port) as hub_url,
            ):
                sandbox.state.zapi.webhooks = dict.fromkeys(
                    sandbox.state.zapi.webhooks, f"{hub_url}/webhooks/whatsapp?token={ZAPI_SECRET}"
                )
                async with (
                    httpx.AsyncClient(base_url=sandbox.url, timeout=30) as box,
                    httpx.AsyncClient(base_url=atendimento_url, timeout=30) as client,
                ):
                    yield Wired(rt, sandbox, box, client, hub_url, hub_key)
                    await sandbox.state.zapi.idle()
        finally:
            clock.reset()
            for db in runtime.current().databases.values():
                await db.dispose()
