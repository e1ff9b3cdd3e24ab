"""What the inbox list's page tests share: customers writing, the rows, counts and refresh state
of a list as the browser receives it, and a supervisor's API client (a fixture)."""

from __future__ import annotations

import itertools
import re

import httpx

from tests.atendimento.conftest import Api, post_webhook, received
from tests.atendimento.web.conftest import Person

message_ids = itertools.count(1)


async def customer(
    client: httpx.AsyncClient,
    phone: str,
    text: str = "Olá, preciso de uma cuidadora",
    name: str = "Maria Souza",
) -> int:
    """A customer's WhatsApp message through the signed webhook: the conversation's id."""
    payload = received(f"INBOX-{next(message_ids)}", phone=phone, text=text, senderName=name, chatName=name)
    response = await post_webhook(client, payload)
    assert response.status_code == 200, response.text
    return int(response.json()["conversation_id"])


def row_ids(html: str) -> list[int]:
    return [int(i) for i in re.findall(r'id="conversa-(\d+)"', html)]


def row(html: str, conversation_id: int) -> str:
    """The HTML of one row."""
    match = re.search(rf'<a id="conversa-{conversation_id}".*?</a>', html, re.S)
    assert match, f"conversation {conversation_id} is not listed"
    return match.group(0)


def unread_of(html: str, conversation_id: int) -> int:
    found = re.search(r'class="count inbox-unread"[^>]*>(\d+)', row(html, conversation_id))
    return int(found.group(1)) if found else 0


def unread_total(html: str) -> int:
    match = re.search(r'data-unread-total="(\d+)"', html)
    assert match
    return int(match.group(1))


def refresh_state(html: str) -> dict[str, str]:
    """What the list's next live refresh asks for (the hidden inputs of #lista-estado)."""
    block = html[html.index('<div id="lista-estado" hidden>') :]
    block = block[: block.index("</div>")]
    return dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', block))


def tab_count(html: str, tab: str) -> int:
    match = re.search(rf'id="aba-{tab}"[^>]*>[^<]*<span class="inbox-tab-count">([\d.]+)</span>', html)
    assert match, html[:2000]
    return int(match.group(1).replace(".", ""))


async def listed(person: Person, query: str = "") -> str:
    response = await person.htmx("GET", f"/conversas/lista?{query}")
    assert response.status_code == 200, response.text
    return response.text


async def assign(api: Api, conversation_id: int, agent_id: int) -> None:
    response = await api.post(f"/api/conversations/{conversation_id}/assign", json={"agent_id": agent_id})
    assert response.status_code == 200, response.text
