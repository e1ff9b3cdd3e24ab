"""Helpers for the incident tests: a conversation from a WhatsApp message, assigned to an agent."""

from __future__ import annotations

import httpx

from tests.atendimento.conftest import OPEN_INSTANT, Api, freeze_at, post_webhook, received


async def conversation_of(
    atendimento: httpx.AsyncClient, supervisor: Api, assignee: Api | None, *, phone: str, message_id: str
) -> int:
    """A new conversation (from a customer's message), assigned to `assignee` by a supervisor."""
    freeze_at(OPEN_INSTANT)
    response = await post_webhook(atendimento, received(message_id, phone=phone, text="Preciso de ajuda"))
    assert response.status_code == 200, response.text
    conversation_id = int(response.json()["conversation_id"])
    assigned = await supervisor.post(
        f"/api/conversations/{conversation_id}/assign",
        json={"agent_id": assignee.agent_id if assignee else None},
    )
    assert assigned.status_code == 200, assigned.text
    return conversation_id
