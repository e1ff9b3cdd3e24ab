"""Helpers for atendimento tests: seeded defaults, agents with tokens, signed Z-API webhooks."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable, Coroutine
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from carinho import runtime
from carinho.atendimento.agents.models import Role, SupportLevel
from carinho.atendimento.agents.security import issue_bearer
from carinho.atendimento.agents.service import agent_service
from carinho.atendimento.working_hours import holidays_provider
from carinho.atendimento.working_hours.service import working_hours_service
from carinho.kit import clock
from carinho.kit.signatures import hmac_hex
from carinho.runtime import DatabaseCache, Runtime
from carinho.sandbox.smtp import CaughtMail, SmtpSink
from tests.atendimento import seeding
from tests.sandbox.harness import RunningSandbox, revalidated, running_sandbox, sandbox_settings
from tests.support.fixtures import ZAPI_FIXTURES

FIXTURES = ZAPI_FIXTURES

# A Tuesday, 10:00 in São Paulo (13:00 UTC): inside the seeded schedule.
OPEN_INSTANT = datetime(2026, 12, 1, 13, 0, tzinfo=UTC)
# The same Tuesday, 22:00 in São Paulo: closed; next opening Wednesday 08:00.
CLOSED_INSTANT = datetime(2026, 12, 2, 1, 0, tzinfo=UTC)


def freeze_at(instant: datetime) -> None:
    """Move our clock so that now is (about) `instant`."""
    clock.set_offset(instant - datetime.now(UTC))


def fixture(name: str) -> dict[str, Any]:
    return json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8"))


def received(
    message_id: str, phone: str = "5511987654321", text: str = "Olá, preciso de uma cuidadora", **extra: Any
) -> dict[str, Any]:
    payload = fixture("received_text")
    payload.update(messageId=message_id, phone=phone, senderName="Maria Souza", chatName="Maria Souza")
    payload["text"] = {"message": text}
    payload.update(extra)
    return payload


class Api:
    """An authenticated agent talking to the atendimento app."""

    def __init__(self, client: httpx.AsyncClient, agent_id: int, secret: str, epoch: int = 0) -> None:
        self.client = client
        self.agent_id = agent_id
        self.secret = secret
        self.epoch = epoch

    @property
    def headers(self) -> dict[str, str]:
        # Issued per request: tests move the clock by days, and tokens expire after 12 hours.
        return {"Authorization": f"Bearer {issue_bearer(self.secret, self.agent_id, self.epoch)}"}

    async def get(self, url: str, **kw: Any) -> httpx.Response:
        return await self.client.get(url, headers=self.headers, **kw)

    async def post(self, url: str, json: Any = None, **kw: Any) -> httpx.Response:
        return await self.client.post(url, headers=self.headers, json=json, **kw)

    async def patch(self, url: str, json: Any = None) -> httpx.Response:
        return await self.client.patch(url, headers=self.headers, json=json)

    async def put(self, url: str, json: Any = None) -> httpx.Response:
        return await self.client.put(url, headers=self.headers, json=json)

    async def delete(self, url: str) -> httpx.Response:
        return await self.client.delete(url, headers=self.headers)


MakeAgent = Callable[..., Coroutine[Any, Any, Api]]


@pytest.fixture
async def seeded(rt: Runtime) -> Runtime:
    working_hours_service.invalidate()
    holidays_provider.clear_cache()
    async with rt.db("atendimento").session() as session:
        await seeding.seed(session, rt.spec("atendimento").metadata.sorted_tables, rt.db("atendimento").url)
    working_hours_service.invalidate()
    return rt


@pytest.fixture
def make_agent(rt: Runtime, atendimento: httpx.AsyncClient) -> MakeAgent:
    counter = {"n": 0}

    async def make(
        role: Role = Role.agent,
        level: SupportLevel = SupportLevel.n1,
        capacity: int = 10,
        name: str | None = None,
    ) -> Api:
        counter["n"] += 1
        async with rt.db("atendimento").session() as session:
            agent, _ = await agent_service.create(
                session,
                name=name or f"{role.label.title()} {counter['n']}",
                email=f"{role.value}{counter['n']}@carinho.test",
                role=role,
                level=level,
                capacity=capacity,
            )
            await session.commit()
        return Api(atendimento, agent.id, rt.settings.session_secret.get_secret_value())

    return make


async def post_webhook(
    client: httpx.AsyncClient,
    payload: dict[str, Any],
    *,
    mode: str = "signature",
    secret: str = "test-zapi-secret",
) -> httpx.Response:
    body = json.dumps(payload).encode()
    headers = {"content-type": "application/json"}
    url = "/webhooks/whatsapp"
    if mode == "signature":
        headers["x-signature"] = hmac_hex(secret, body)
    elif mode == "token":
        url += f"?token={secret}"
    elif mode == "standard":
        from carinho.kit.signatures import sign_outbound

        signed = sign_outbound(secret, "msg_test_1", body)
        headers.update({k: v for k, v in signed.items() if k.startswith("webhook-")})
    return await client.post(url, content=body, headers=headers)


@dataclass
class Simulators:
    """The sandbox on a real socket (operação, Z-API, SMTP) and the runtime whose clients use it."""

    sandbox: RunningSandbox
    rt: Runtime
    http: httpx.AsyncClient

    async def occurrences(self) -> list[dict[str, Any]]:
        return await self.sandbox.state.store.all("operacao", "emergencies")

    async def operacao_calls(self) -> int:
        requests = (await self.http.get("/_sandbox/operacao/requests")).json()
        return sum(1 for r in requests if r["path"].endswith("/emergencies"))

    async def faults(self, **values: object) -> None:
        response = await self.http.put("/_sandbox/operacao/faults", json=values)
        assert response.status_code == 200, response.text

    async def whatsapp_texts(self, phone: str) -> list[str]:
        sent = (await self.http.get("/_sandbox/zapi/messages")).json()
        return [m["body"].get("message", "") for m in sent if m["phone"] == phone]

    def mails(self) -> list[CaughtMail]:
        sink = self.sandbox.state.extras["smtp"]
        assert isinstance(sink, SmtpSink)
        return list(sink.messages)


@pytest.fixture
async def simulators(
    seeded: Runtime, shared_databases: DatabaseCache, tmp_path: Path
) -> AsyncIterator[Simulators]:
    """The sandbox on a real socket; operação, Z-API and mail settings of the runtime point at it.
    Its Z-API does not post callbacks: tests post the customer's messages with `post_webhook`."""
    base = sandbox_settings(tmp_path)
    async with running_sandbox(base) as sandbox:
        sandbox.state.zapi.webhooks = dict.fromkeys(sandbox.state.zapi.webhooks, "")
        settings = revalidated(
            seeded.settings,
            carinho_operacao_url=sandbox.settings.carinho_operacao_url,
            carinho_operacao_api_key=sandbox.settings.carinho_operacao_api_key.get_secret_value(),
            zapi_base_url=sandbox.settings.zapi_base_url,
            zapi_instance_id=base.zapi_instance_id,
            zapi_token=base.zapi_token.get_secret_value(),
            zapi_client_token=base.zapi_client_token.get_secret_value(),
            zapi_send_rate_per_minute=10_000,
            mail_host=sandbox.settings.mail_host,
            mail_port=sandbox.settings.mail_port,
        )
        rt = runtime.configure(settings, databases=shared_databases)
        async with httpx.AsyncClient(base_url=sandbox.url, timeout=30) as http:
            yield Simulators(sandbox, rt, http)
