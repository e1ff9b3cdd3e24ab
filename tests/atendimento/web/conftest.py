"""Pages without a browser: a person's session (cookie + CSRF) against the app over ASGI."""

from __future__ import annotations

import re
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from carinho.atendimento.agents.models import Role, SupportLevel
from carinho.atendimento.agents.service import agent_service
from carinho.runtime import Runtime

CSRF_META = re.compile(r'<meta name="csrf-token" content="([^"]*)"')


@dataclass
class Person:
    """Someone using the pages: their own cookie jar, the CSRF token of their session."""

    client: httpx.AsyncClient
    agent_id: int
    email: str
    password: str
    csrf: str = ""

    async def login(self) -> httpx.Response:
        response = await self.client.post(
            "/entrar", data={"email": self.email, "password": self.password, "next": "/conversas"}
        )
        assert response.status_code == 303, response.text
        await self.refresh_csrf()
        return response

    async def refresh_csrf(self) -> None:
        page = await self.client.get("/conta/senha", headers={"accept": "text/html"})
        match = CSRF_META.search(page.text)
        assert match, page.text[:500]
        self.csrf = match.group(1)

    async def page(self, url: str) -> httpx.Response:
        return await self.client.get(url, headers={"accept": "text/html"})

    async def htmx(self, method: str, url: str, **kw: Any) -> httpx.Response:
        headers = {"hx-request": "true", "x-csrf-token": self.csrf, **kw.pop("headers", {})}
        return await self.client.request(method, url, headers=headers, **kw)

    async def form(self, url: str, data: dict[str, Any]) -> httpx.Response:
        return await self.client.post(
            url, data={"csrf_token": self.csrf, **data}, headers={"accept": "text/html"}
        )


MakePerson = Callable[..., Coroutine[Any, Any, Person]]


@pytest.fixture
def make_person(seeded: Runtime) -> MakePerson:
    """A new agent with a known password, logged in on a client of its own."""
    from carinho.atendimento.app import create_app

    app = create_app(seeded)
    counter = {"n": 0}

    async def make(
        role: Role = Role.agent, level: SupportLevel = SupportLevel.n1, *, login: bool = True
    ) -> Person:
        counter["n"] += 1
        email = f"pessoa{counter['n']}@carinho.test"
        async with seeded.db("atendimento").session() as session:
            agent, password = await agent_service.create(
                session, name=f"Pessoa {counter['n']}", email=email, role=role, level=level, capacity=10
            )
            await session.commit()
        client = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://atendimento.test"
        )
        person = Person(client, agent.id, email, password)
        if login:
            await person.login()
        return person

    return make
