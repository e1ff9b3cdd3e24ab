"""One greeting per first contact: the welcome while we are open, the out-of-hours message (which
greets and says when we open) while we are closed — never both; and an emergency gets the emergency
answer only, whatever the hour."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest

from carinho.atendimento.agents.models import Role
from carinho.atendimento.automations.tasks import run_timed_automations
from carinho.kit import clock
from carinho.runtime import Runtime
from tests.atendimento.conftest import (
    CLOSED_INSTANT,
    OPEN_INSTANT,
    Api,
    MakeAgent,
    freeze_at,
    post_webhook,
    received,
)

EMERGENCY = "Socorro, minha mãe caiu e não está respondendo"


async def incoming(client: httpx.AsyncClient, message_id: str, text: str, phone: str) -> int:
    response = await post_webhook(client, received(message_id, phone=phone, text=text))
    assert response.status_code == 200, response.text
    return int(response.json()["conversation_id"])


async def ours(api: Api, conversation_id: int) -> list[dict]:
    messages = (await api.get(f"/api/conversations/{conversation_id}/messages")).json()
    return [m for m in messages if m["direction"] == "outbound" and not m["private"]]


@pytest.mark.parametrize(
    ("instant", "greeting", "starts"),
    [
        (OPEN_INSTANT, "welcome", "Olá, Maria! Aqui é da Carinho com Você."),
        (CLOSED_INSTANT, "out_of_hours", "Olá, Maria! No momento estamos fora do horário"),
    ],
    ids=["open", "closed"],
)
async def test_a_first_contact_is_greeted_once(
    seeded: Runtime,
    atendimento: httpx.AsyncClient,
    make_agent: MakeAgent,
    instant: object,
    greeting: str,
    starts: str,
) -> None:
    freeze_at(instant)  # type: ignore[arg-type]
    supervisor = await make_agent(Role.supervisor)
    conversation_id = await incoming(atendimento, "G1", "Olá, preciso de uma cuidadora", "5511955551001")
    await incoming(atendimento, "G2", "É para minha mãe", "5511955551001")
    [only] = await ours(supervisor, conversation_id)
    assert only["automation"] == greeting
    assert only["content"].startswith(starts)


@pytest.mark.parametrize("instant", [OPEN_INSTANT, CLOSED_INSTANT], ids=["open", "closed"])
async def test_an_emergency_gets_the_emergency_answer_only(
    seeded: Runtime, atendimento: httpx.AsyncClient, make_agent: MakeAgent, instant: object
) -> None:
    freeze_at(instant)  # type: ignore[arg-type]
    supervisor = await make_agent(Role.supervisor)
    first_contact = await incoming(atendimento, "E1", EMERGENCY, "5511955552001")
    [only] = await ours(supervisor, first_contact)
    assert only["automation"] == "emergency"
    assert "SAMU: 192" in only["content"]

    # Nor later: no queue notice or follow-up while the emergency is open.
    clock.advance(timedelta(hours=2))
    async with seeded.db("atendimento").session() as session:
        await run_timed_automations(session)
        await session.commit()
    assert [m["automation"] for m in await ours(supervisor, first_contact)] == ["emergency"]


async def test_an_emergency_in_a_running_conversation_gets_no_out_of_hours_notice(
    seeded: Runtime, atendimento: httpx.AsyncClient, make_agent: MakeAgent
) -> None:
    supervisor = await make_agent(Role.supervisor)
    freeze_at(OPEN_INSTANT)
    conversation_id = await incoming(atendimento, "R1", "Olá, preciso de uma cuidadora", "5511955553001")
    freeze_at(CLOSED_INSTANT)
    await incoming(atendimento, "R2", EMERGENCY, "5511955553001")
    assert [m["automation"] for m in await ours(supervisor, conversation_id)] == ["welcome", "emergency"]
