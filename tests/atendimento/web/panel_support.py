"""What the side panel's page tests (and the supervisor pages' that take the same forms) share: a
new conversation of an N1 attendant, a section or an action as htmx asks for it, its toast or
refusal, the visible words of a piece of HTML."""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import unquote

import httpx

from carinho.atendimento.agents.models import Role, SupportLevel
from carinho.atendimento.inbox.models import Conversation
from carinho.runtime import Runtime
from tests.atendimento.conftest import OPEN_INSTANT, freeze_at, post_webhook, received
from tests.atendimento.web.conftest import MakePerson, Person

counter = {"n": 0}


async def new_conversation(person: Person, text: str = "Olá, preciso de uma cuidadora") -> int:
    """A customer's first message, through the real webhook path; returns the conversation id."""
    counter["n"] += 1
    phone = f"551198{counter['n']:07d}"
    response = await post_webhook(person.client, received(f"PANEL{counter['n']}", phone=phone, text=text))
    assert response.status_code == 200, response.text
    return int(response.json()["conversation_id"])


async def section(person: Person, conversation_id: int, name: str, **params: Any) -> httpx.Response:
    return await person.htmx("GET", f"/conversas/{conversation_id}/painel/{name}", params=params)


async def act(person: Person, conversation_id: int, action: str, data: dict[str, Any]) -> httpx.Response:
    return await person.htmx("POST", f"/conversas/{conversation_id}/{action}", data=data)


async def api(person: Person, method: str, url: str, body: Any = None) -> httpx.Response:
    """The JSON API with the person's session cookie (and CSRF header), as the pages' JS would."""
    return await person.client.request(method, url, json=body, headers={"x-csrf-token": person.csrf})


def toast(response: httpx.Response) -> str:
    return str(json.loads(response.headers["hx-trigger"])["carinho-toast"]["message"])


def refusal(response: httpx.Response) -> str:
    return unquote(response.headers.get("x-carinho-mensagem", ""))


def text_of(html: str) -> str:
    """The visible words, whitespace collapsed (assertions read like what a person sees)."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


async def conversation_row(rt: Runtime, conversation_id: int) -> Conversation:
    async with rt.db("atendimento").session() as session:
        row = await session.get(Conversation, conversation_id)
        assert row is not None
        return row


async def n1_with_conversation(
    make_person: MakePerson, text: str = "Olá, preciso de uma cuidadora"
) -> tuple[Person, int]:
    """An N1 attendant and a new conversation the round-robin gave them."""
    freeze_at(OPEN_INSTANT)
    ana = await make_person(Role.agent, SupportLevel.n1)
    conversation_id = await new_conversation(ana, text)
    return ana, conversation_id
