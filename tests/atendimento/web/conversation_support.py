"""What the conversation view's page tests share: a customer writing, the thread and its messages
as the page shows them, the toast of an htmx answer."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import select

from carinho.atendimento.inbox.models import (
    Conversation,
    Message,
)
from carinho.atendimento.inbox.service import inbox_service
from carinho.runtime import Runtime
from tests.atendimento.conftest import (
    post_webhook,
    received,
)
from tests.atendimento.web.conftest import Person

PHONE = "5511987654321"


def payload(message_id: str, kind: str, content: dict[str, Any], phone: str = PHONE) -> dict[str, Any]:
    """A Z-API ReceivedCallback carrying `kind` (image, audio…) instead of text."""
    body = received(message_id, phone=phone)
    body.pop("text")
    body[kind] = content
    return body


async def incoming(person: Person, message_id: str, text: str = "Olá", phone: str = PHONE) -> int:
    response = await post_webhook(person.client, received(message_id, phone=phone, text=text))
    assert response.status_code == 200, response.text
    return int(response.json()["conversation_id"])


async def thread(person: Person, conversation_id: int) -> str:
    response = await person.htmx("GET", f"/conversas/{conversation_id}/mensagens")
    assert response.status_code == 200, response.text
    return response.text


def message_html(page: str, message_id: int) -> str:
    """The <li> of one message."""
    start = page.rindex("<li", 0, page.index(f'id="mensagem-{message_id}"'))
    end = page.find('<li class="msg', start + 3)
    return page[start : end if end != -1 else len(page)]


async def messages(rt: Runtime, conversation_id: int) -> list[Message]:
    async with rt.db("atendimento").session() as session:
        rows = await session.execute(
            select(Message).where(Message.conversation_id == conversation_id).order_by(Message.id)
        )
        return list(rows.scalars())


async def conversation_row(rt: Runtime, conversation_id: int) -> Conversation:
    async with rt.db("atendimento").session() as session:
        conversation = await inbox_service.get(session, conversation_id)
        return conversation


def toast(response: Any) -> str:
    from urllib.parse import unquote

    return unquote(response.headers.get("x-carinho-mensagem", ""))


async def messages_of(person: Person, conversation_id: int) -> list[str]:
    return re.findall(r'id="mensagem-(\d+)"', await thread(person, conversation_id))
