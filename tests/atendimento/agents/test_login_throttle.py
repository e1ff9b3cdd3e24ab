"""Login throttling (kit/login_throttle.py) on atendimento's API and login page: per account and per
client address, a pt-BR 429 saying when to try again, audited; a success clears the account's count."""

from __future__ import annotations

import html

import httpx
from sqlalchemy import select

from carinho.atendimento.agents.models import Role, SupportLevel
from carinho.atendimento.agents.service import agent_service
from carinho.atendimento.app import create_app
from carinho.atendimento.history.models import HistoryEntry
from carinho.atendimento.history.service import Action
from carinho.runtime import Runtime

PASSWORD = "senha-forte-123"


async def create(rt: Runtime, email: str) -> None:
    async with rt.db("atendimento").session() as session:
        await agent_service.create(
            session, name="Ana Paula", email=email, role=Role.agent, level=SupportLevel.n1, password=PASSWORD
        )
        await session.commit()


async def login(client: httpx.AsyncClient, email: str, password: str = PASSWORD) -> httpx.Response:
    return await client.post("/api/auth/login", json={"email": email, "password": password})


async def refusals(rt: Runtime) -> list[str]:
    async with rt.db("atendimento").session() as session:
        failed = HistoryEntry.action == Action.login_failed
        stmt = select(HistoryEntry).where(failed).order_by(HistoryEntry.id)
        return [entry.details["reason"] for entry in (await session.execute(stmt)).scalars()]


async def test_an_account_is_throttled_after_five_failures_even_with_the_right_password(
    rt: Runtime, atendimento: httpx.AsyncClient
) -> None:
    await create(rt, "ana@carinho.com.vc")
    await create(rt, "bia@carinho.com.vc")
    for _ in range(4):
        assert (await login(atendimento, "ana@carinho.com.vc", "errada")).status_code == 401
    assert (await login(atendimento, "ana@carinho.com.vc")).status_code == 200  # clears the count
    for _ in range(5):
        assert (await login(atendimento, "ANA@carinho.com.vc", "errada")).status_code == 401

    refused = await login(atendimento, "ana@carinho.com.vc")
    assert refused.status_code == 429
    assert refused.json()["message"].startswith("Muitas tentativas de entrar sem sucesso. Tente novamente em")
    assert 0 < int(refused.headers["Retry-After"]) <= 15 * 60
    assert (await login(atendimento, "bia@carinho.com.vc")).status_code == 200  # another account
    assert (await refusals(rt))[-1] == "throttled_account"

    # The login page counts the same failures, and says the same.
    page = await atendimento.post(
        "/entrar", data={"email": "ana@carinho.com.vc", "password": PASSWORD}, headers={"accept": "text/html"}
    )
    assert page.status_code == 429 and "Retry-After" in page.headers
    assert "Muitas tentativas de entrar sem sucesso" in html.unescape(page.text)


async def test_an_address_is_throttled_after_twenty_failures_across_accounts(rt: Runtime) -> None:
    await create(rt, "ana@carinho.com.vc")
    app = create_app(rt)

    def client(address: str) -> httpx.AsyncClient:
        transport = httpx.ASGITransport(app=app, client=(address, 50000))
        return httpx.AsyncClient(transport=transport, base_url="http://atendimento.test")

    async with client("203.0.113.7") as guesser, client("198.51.100.2") as colleague:
        for n in range(20):
            assert (await login(guesser, f"chute{n}@carinho.com.vc", "errada")).status_code == 401
        refused = await login(guesser, "ana@carinho.com.vc")
        assert refused.status_code == 429, refused.text
        assert (await refusals(rt))[-1] == "throttled_address"
        assert (await login(colleague, "ana@carinho.com.vc")).status_code == 200
