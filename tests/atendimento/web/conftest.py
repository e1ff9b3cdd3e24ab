"""Pages without a browser: a person's session (cookie + CSRF) against the app over ASGI."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

import httpx
import pytest

from carinho.atendimento.agents.models import Role, SupportLevel
from carinho.atendimento.agents.service import agent_service
from carinho.runtime import Runtime
from tests.atendimento.conftest import OPEN_INSTANT, Api, MakeAgent, freeze_at
from tests.conftest import Apps
from tests.support.pages import Person

__all__ = ["MakePerson", "Person"]

MakePerson = Callable[..., Coroutine[Any, Any, Person]]


@pytest.fixture
def make_person(seeded: Runtime, apps: Apps) -> MakePerson:
    """A new agent with a known password, logged in on a client of its own (on the test's app)."""
    app = apps("atendimento")
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
        client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://atendimento.test")
        person = Person(client, agent.id, email, password)
        if login:
            await person.login()
        return person

    return make


@pytest.fixture
async def supervisor(seeded: Runtime, make_agent: MakeAgent) -> Api:
    """A supervisor on the API (to assign, escalate, label in the inbox tests); round-robin off, so
    the tests decide who holds what."""
    freeze_at(OPEN_INSTANT)
    api = await make_agent(Role.supervisor, name="Sílvia Supervisora")
    response = await api.patch("/api/automations/round_robin", json={"enabled": False})
    assert response.status_code == 200, response.text
    return api
