"""Console pages without a browser: an operator's session against the hub app over ASGI."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

import httpx
import pytest

from carinho.integracoes.operators.models import OperatorRole
from carinho.integracoes.operators.service import operator_service
from carinho.runtime import Runtime
from tests.conftest import Apps
from tests.support.pages import Person

MakeOperator = Callable[..., Coroutine[Any, Any, Person]]


@pytest.fixture
def make_operator(rt: Runtime, apps: Apps) -> MakeOperator:
    """A new operator with a known password, logged in on a client of its own (on the test's app)."""
    app = apps("integracoes")
    counter = {"n": 0}

    async def make(role: OperatorRole = OperatorRole.viewer, *, login: bool = True) -> Person:
        counter["n"] += 1
        email = f"operador{counter['n']}@carinho.test"
        async with rt.db("integracoes").session() as session:
            operator, password = await operator_service.create(
                session, name=f"Operador {counter['n']}", email=email, role=role
            )
            await session.commit()
        client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://integracoes.test")
        person = Person(client, operator.id, email, password)
        if login:
            await person.login()
        return person

    return make
