"""GET /api/metrics/stream: server-sent events read as a browser would, through a streaming transport."""

from __future__ import annotations

import json

from carinho.atendimento.agents.models import Agent, Role
from carinho.atendimento.inbox.models import Contact, Conversation
from carinho.atendimento.metrics.stream import LiveFeed, events, feed_for
from carinho.runtime import Runtime
from tests.atendimento.conftest import MakeAgent, freeze_at
from tests.atendimento.metrics.dataset import NOW, build
from tests.atendimento.metrics.streaming import ManualClock, read_events, streaming_client


async def add_open_conversation(rt: Runtime) -> None:
    async with rt.db("atendimento").session() as session:
        contact = Contact(phone="5511988887777")
        session.add(contact)
        session.add(Conversation(contact=contact, status="open", level="N3"))
        await session.commit()


async def test_a_snapshot_at_once_then_one_per_interval_and_a_clean_stop(
    seeded: Runtime, make_agent: MakeAgent
) -> None:
    freeze_at(NOW)
    data = await build(seeded, make_agent)
    clock = ManualClock()
    async with streaming_client(seeded, clock) as (client, transport):
        url = "/api/metrics/stream?interval=0.5"
        async with client.stream("GET", url, headers=data.supervisor.headers) as response:
            assert response.status_code == 200
            assert response.headers["content-type"].startswith("text/event-stream")
            lines = response.aiter_lines()
            (first,), _ = await read_events(lines, 1)
            assert (first["id"], first["retry"], first["event"]) == ("1", "500", "metrics")
            assert json.loads(first["data"])["conversations"]["open"] == 6

            await add_open_conversation(seeded)
            clock.advance(0.5)  # the next snapshot is due only now, after the conversation exists
            (second,), _ = await read_events(lines, 1)
            assert (second["id"], second["event"]) == ("2", "metrics")
            snapshot = json.loads(second["data"])
            assert snapshot["conversations"]["open"] == 7
            assert {"sla", "incidents", "satisfaction"} <= snapshot.keys()
        # Leaving the block closed the response: the app saw the disconnect and finished cleanly.
        (task,) = transport.tasks
        assert task.done() and task.exception() is None


async def test_subscribers_share_one_computation_per_interval(seeded: Runtime, make_agent: MakeAgent) -> None:
    freeze_at(NOW)
    data = await build(seeded, make_agent)
    url = "/api/metrics/stream?interval=1"
    # The feed's clock moves only when the test says so: the second subscriber arrives while the
    # first snapshot is fresh and both reach the next interval together, however loaded the machine.
    clock = ManualClock()
    async with streaming_client(seeded, clock) as (client, _):
        async with (
            client.stream("GET", url, headers=data.supervisor.headers) as first,
            client.stream("GET", url, headers=data.agents["a1"].headers) as second,
        ):
            first_lines, second_lines = first.aiter_lines(), second.aiter_lines()
            seen_first, _ = await read_events(first_lines, 1)
            seen_second, _ = await read_events(second_lines, 1)
            clock.advance(1)
            seen_first += (await read_events(first_lines, 1))[0]
            seen_second += (await read_events(second_lines, 1))[0]
        feed = feed_for(client.app)  # type: ignore[attr-defined]
    assert [e["id"] for e in seen_first] == [e["id"] for e in seen_second] == ["1", "2"]
    assert feed.computations == 2
    # The same snapshot, each through the subscriber's own view: an agent gets only their own row.
    supervisor_rows = json.loads(seen_first[0]["data"])["agents"]["items"]
    agent_rows = json.loads(seen_second[0]["data"])["agents"]["items"]
    assert len(supervisor_rows) == 5
    assert [row["id"] for row in agent_rows] == [data.agents["a1"].agent_id]


async def test_heartbeats_fill_the_silence_and_the_stream_ends_after_its_lifetime(
    seeded: Runtime, make_agent: MakeAgent
) -> None:
    freeze_at(NOW)
    supervisor = await make_agent(Role.supervisor)
    async with seeded.db("atendimento").session() as session:
        viewer = await session.get(Agent, supervisor.agent_id)
    assert viewer is not None
    clock = ManualClock()
    feed = LiveFeed(seeded.db("atendimento"), clock, clock.sleep)
    stream = events(feed, viewer, interval=60, heartbeat=15)
    first = await anext(stream)
    assert first.startswith("id: 1\nretry: 60000\nevent: metrics\ndata: {")
    assert [await anext(stream), await anext(stream)] == [": heartbeat\n\n"] * 2
    assert clock.now == 1030  # 15 s of silence before each
    await stream.aclose()
    assert feed.computations == 1  # one snapshot per 60 s, heartbeats in between

    # Past its lifetime a stream ends by itself, after the snapshot it owes on connect (here the
    # shared one, still fresh: no new computation).
    ended = [chunk async for chunk in events(feed, viewer, interval=60, heartbeat=60, lifetime=10)]
    assert len(ended) == 1 and ended[0].startswith("id: 1\n")
    assert feed.computations == 1 and clock.now == 1040
