"""GET /ao-vivo: server-sent events of the live change feed, read as a browser would."""

from __future__ import annotations

import json
from contextlib import AsyncExitStack, aclosing
from typing import Any

import httpx

from carinho.atendimento.agents.models import Agent, Role, SupportLevel
from carinho.atendimento.agents.security import SESSION_COOKIE, issue_session
from carinho.atendimento.inbox.models import Conversation
from carinho.atendimento.live.feed import ChangeFeed, feed_for
from carinho.atendimento.live.stream import events
from carinho.runtime import Runtime
from tests.atendimento.conftest import OPEN_INSTANT, MakeAgent, freeze_at, post_webhook, received
from tests.atendimento.live.helpers import SteppedClock, Ticker, last_id
from tests.atendimento.metrics.streaming import ManualClock, read_events, streaming_client

PHONE = "5511987654321"


def data_of(chunk: str) -> dict[str, Any]:
    (line,) = [line for line in chunk.splitlines() if line.startswith("data: ")]
    data: dict[str, Any] = json.loads(line.removeprefix("data: "))
    return data


async def viewer_of(rt: Runtime, agent_id: int) -> Agent:
    async with rt.db("atendimento").session() as session:
        agent = await session.get(Agent, agent_id)
    assert agent is not None
    return agent


async def test_an_agent_gets_the_new_conversation_of_the_webhook_as_a_change_event(
    seeded: Runtime, atendimento: httpx.AsyncClient, make_agent: MakeAgent
) -> None:
    freeze_at(OPEN_INSTANT)
    agent = await make_agent()
    ticker = Ticker()
    async with streaming_client(seeded) as (client, transport):
        client.app.state.live_feed = ChangeFeed(seeded.db("atendimento"), tick=ticker.wait)  # type: ignore[attr-defined]
        async with client.stream("GET", "/ao-vivo", headers=agent.headers) as response:
            assert response.status_code == 200
            assert response.headers["content-type"].startswith("text/event-stream")
            assert response.headers["cache-control"] == "no-cache"
            lines = response.aiter_lines()
            (preamble,), _ = await read_events(lines, 1)
            assert preamble == {"retry": "2000", "id": "0"}  # no event fires: the browser keeps the id

            webhook = await post_webhook(atendimento, received("SSE-1", phone=PHONE))
            conversation_id = webhook.json()["conversation_id"]
            ticker.release()
            (change,), _ = await read_events(lines, 1)
            assert change["event"] == "change"
            assert change["id"] == str(await last_id(seeded))
            data = json.loads(change["data"])
            assert data["conversations"] == [conversation_id]
            assert data["kinds"][str(conversation_id)][:2] == ["message", "conversation"]
            assert "sla" in data["kinds"][str(conversation_id)]
        feed = feed_for(client.app)  # type: ignore[attr-defined]
    (task,) = transport.tasks
    assert task.done() and task.exception() is None
    assert not feed.running


async def test_a_reconnect_with_last_event_id_gets_what_it_missed_first(
    seeded: Runtime, atendimento: httpx.AsyncClient, make_agent: MakeAgent
) -> None:
    freeze_at(OPEN_INSTANT)
    supervisor = await make_agent(Role.supervisor)
    first = await post_webhook(atendimento, received("SSE-2", phone=PHONE))
    seen = await last_id(seeded)
    await post_webhook(atendimento, received("SSE-3", phone="5511977776666"))
    second = await post_webhook(atendimento, received("SSE-4", phone=PHONE, text="Alô?"))
    assert first.json()["conversation_id"] == second.json()["conversation_id"]
    async with streaming_client(seeded) as (client, _):
        client.app.state.live_feed = ChangeFeed(seeded.db("atendimento"), tick=Ticker().wait)  # type: ignore[attr-defined]
        headers = {**supervisor.headers, "Last-Event-ID": str(seen)}
        async with client.stream("GET", "/ao-vivo", headers=headers) as response:
            (preamble, change), _ = await read_events(response.aiter_lines(), 2)
    assert preamble["id"] == str(seen)
    assert change["event"] == "change" and change["id"] == str(await last_id(seeded))
    data = json.loads(change["data"])
    assert sorted(data["conversations"]) == data["conversations"] and len(data["conversations"]) == 2
    assert "message" in data["kinds"][str(first.json()["conversation_id"])]

    # An id the table no longer holds: reload everything.
    async with streaming_client(seeded) as (client, _):
        client.app.state.live_feed = ChangeFeed(seeded.db("atendimento"), tick=Ticker().wait)  # type: ignore[attr-defined]
        headers = {**supervisor.headers, "Last-Event-ID": "not-a-number"}
        async with client.stream("GET", "/ao-vivo", headers=headers) as response:
            (_, resync), _ = await read_events(response.aiter_lines(), 2)
    assert resync == {"id": str(await last_id(seeded)), "event": "resync", "data": '{"reason": "expired"}'}


async def test_an_agent_gets_only_what_they_may_see_and_every_assignment(
    seeded: Runtime, atendimento: httpx.AsyncClient, make_agent: MakeAgent
) -> None:
    freeze_at(OPEN_INSTANT)
    n1 = await viewer_of(seeded, (await make_agent()).agent_id)
    n2 = await viewer_of(seeded, (await make_agent(level=SupportLevel.n2)).agent_id)
    supervisor = await viewer_of(seeded, (await make_agent(Role.supervisor)).agent_id)
    clock = SteppedClock()
    ticker = Ticker()
    feed = ChangeFeed(seeded.db("atendimento"), clock=clock, sleep=clock.sleep, tick=ticker.wait)
    async with AsyncExitStack() as streams_open:
        streams = {
            who.id: await streams_open.enter_async_context(aclosing(events(feed, who, heartbeat=15)))
            for who in (n1, n2, supervisor)
        }
        for stream in streams.values():
            assert (await anext(stream)).startswith("retry: 2000\nid: ")

        webhook = await post_webhook(atendimento, received("SSE-5", phone=PHONE))
        conversation_id = webhook.json()["conversation_id"]  # unassigned, level N1
        ticker.release()
        for who in (n1, supervisor):
            assert data_of(await anext(streams[who.id]))["conversations"] == [conversation_id]
        # Assigned to the N2 agent: the assignment reaches every stream (the N1 agent's page must
        # drop it), the rest of the change only those who see the conversation now.
        async with seeded.db("atendimento").session() as session:
            conversation = await session.get(Conversation, conversation_id)
            assert conversation is not None
            conversation.assignee_id = n2.id
            conversation.level = "N2"
            await session.commit()
        ticker.release()
        both = ["conversation", "assignment"]
        for who, kinds in ((n1, ["assignment"]), (n2, both), (supervisor, both)):
            assert data_of(await anext(streams[who.id]))["kinds"] == {str(conversation_id): kinds}
        # A new message in it: the N2 agent (now its assignee) and the supervisor only. The N1
        # agent's stream stays silent; its next heartbeat carries the position it moved on to.
        await post_webhook(atendimento, received("SSE-6", phone=PHONE, text="Oi?"))
        ticker.release()
        for who in (n2, supervisor):
            assert "message" in data_of(await anext(streams[who.id]))["kinds"][str(conversation_id)]
        clock.advance(15)
        assert await anext(streams[n1.id]) == f"id: {await last_id(seeded)}\n: heartbeat\n\n"
    assert not feed.running


async def test_heartbeats_fill_the_silence_and_the_stream_ends_after_its_lifetime(
    seeded: Runtime, make_agent: MakeAgent
) -> None:
    viewer = await viewer_of(seeded, (await make_agent()).agent_id)
    clock = ManualClock()
    feed = ChangeFeed(seeded.db("atendimento"), clock=clock, sleep=clock.sleep, tick=Ticker().wait)
    stream = events(feed, viewer)
    assert await anext(stream) == "retry: 2000\nid: 0\n\n"
    assert [await anext(stream), await anext(stream)] == [": heartbeat\n\n"] * 2
    assert clock.now == 1030  # 15 s of silence before each
    await stream.aclose()
    assert not feed.running and feed.polls == 0

    ended = [chunk async for chunk in events(feed, viewer, heartbeat=15, lifetime=40)]
    assert ended == ["retry: 2000\nid: 0\n\n", ": heartbeat\n\n", ": heartbeat\n\n"]
    assert clock.now == 1070 and not feed.running


async def test_without_a_login_it_is_a_401_and_a_session_cookie_is_enough(
    seeded: Runtime, atendimento: httpx.AsyncClient, make_agent: MakeAgent
) -> None:
    response = await atendimento.get("/ao-vivo")
    assert response.status_code == 401
    assert response.headers["content-type"].startswith("application/json")
    bad = await atendimento.get("/ao-vivo", headers={"Authorization": "Bearer nope"})
    assert bad.status_code == 401

    agent = await make_agent()
    cookie, _ = issue_session(agent.secret, agent.agent_id, 0)
    async with streaming_client(seeded) as (client, _):
        client.app.state.live_feed = ChangeFeed(seeded.db("atendimento"), tick=Ticker().wait)  # type: ignore[attr-defined]
        client.cookies.set(SESSION_COOKIE, cookie)
        async with client.stream("GET", "/ao-vivo") as response:
            assert response.status_code == 200
            (preamble,), _ = await read_events(response.aiter_lines(), 1)
            assert "id" in preamble
