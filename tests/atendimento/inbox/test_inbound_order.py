"""A customer's burst that reaches atendimento out of order (the hub forwards in parallel, with
retries) still reads in the order it was written; WhatsApp's moment is trusted only when recent,
and it changes the reading order only (unread counts and SLA clocks go by arrival)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx

from carinho.atendimento.agents.models import Role
from carinho.atendimento.inbox.thread_order import SENT_ORDER_WINDOW, thread_time
from carinho.kit import clock
from carinho.runtime import Runtime
from tests.atendimento.conftest import OPEN_INSTANT, MakeAgent, freeze_at, post_webhook, received


def momment(at: datetime) -> int:
    return int(at.timestamp() * 1000)


async def test_a_burst_arriving_out_of_order_reads_in_the_order_it_was_written(
    seeded: Runtime, atendimento: httpx.AsyncClient, make_agent: MakeAgent
) -> None:
    freeze_at(OPEN_INSTANT)
    supervisor = await make_agent(Role.supervisor)
    now = clock.utcnow()
    written = [("B-1", "Boa tarde", 30), ("B-2", "minha mãe precisa", 20), ("B-3", "de uma cuidadora", 10)]
    conversation_id = None
    for message_id, text, seconds_ago in reversed(written):  # the last written arrives first
        sent_at = now - timedelta(seconds=seconds_ago)
        payload = received(message_id, phone="5511933334444", text=text, momment=momment(sent_at))
        response = await post_webhook(atendimento, payload)
        assert response.status_code == 200, response.text
        conversation_id = response.json()["conversation_id"]
    thread = (await supervisor.get(f"/api/conversations/{conversation_id}/messages")).json()
    inbound = [m["content"] for m in thread if m["direction"] == "inbound"]
    assert inbound == ["Boa tarde", "minha mãe precisa", "de uma cuidadora"]
    # only the reading order: each still arrived when it arrived, and all three wait unread
    listed = (await supervisor.get("/api/conversations", params={"contact": "5511933334444"})).json()
    assert [c["id"] for c in listed] == [conversation_id]


def test_only_a_recent_moment_is_trusted() -> None:
    now = datetime(2026, 12, 1, 13, 0, tzinfo=UTC)
    assert thread_time(now - timedelta(seconds=40), now) == now - timedelta(seconds=40)
    assert thread_time(now - SENT_ORDER_WINDOW - timedelta(seconds=1), now) == now  # a replay, an old fixture
    assert thread_time(now + timedelta(minutes=1), now) == now  # a phone whose clock runs ahead
    assert thread_time(None, now) == now
