"""Live metrics against a data set whose answers are known (tests/atendimento/metrics/dataset.py)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import select, update

from carinho.atendimento.agents.models import Role
from carinho.atendimento.agents.security import SESSION_COOKIE, issue_session
from carinho.atendimento.inbox.models import Message
from carinho.atendimento.metrics.models import MessageHourCount
from carinho.atendimento.metrics.service import metrics_service
from carinho.atendimento.metrics.tasks import ROLL_UP_JOB
from carinho.runtime import Runtime
from carinho.worker.jobs import enqueue
from tests.atendimento.conftest import MakeAgent, freeze_at
from tests.atendimento.metrics.dataset import MIN, NOW, build
from tests.support.jobs import drain


def about(minutes: float) -> object:
    return pytest.approx(minutes, abs=0.5)


def hours_by_start(body: dict[str, Any]) -> dict[str, tuple[int, int]]:
    return {
        h["hour_start"][:13]: (h["inbound"], h["outbound"])
        for h in body["messages"]["hours"]
        if h["inbound"] or h["outbound"]
    }


async def test_the_live_snapshot_matches_the_data_set(seeded: Runtime, make_agent: MakeAgent) -> None:
    freeze_at(NOW)
    data = await build(seeded, make_agent)
    response = await data.supervisor.get("/api/metrics/live")
    assert response.status_code == 200, response.text
    body = response.json()

    conversations = body["conversations"]
    assert (conversations["open"], conversations["waiting"], conversations["unassigned"]) == (6, 4, 3)
    by_level = {c["level"]: (c["open"], c["waiting"], c["unassigned"]) for c in conversations["by_level"]}
    assert by_level == {"N1": (3, 3, 2), "N2": (2, 1, 1), "N3": (1, 0, 0)}
    by_status = {c["status"]: (c["open"], c["waiting"], c["unassigned"]) for c in conversations["by_status"]}
    assert by_status == {"open": (4, 3, 3), "pending": (1, 1, 0), "waiting_customer": (1, 0, 0)}

    queue = body["queue"]
    assert queue["count"] == 3
    assert queue["oldest_since"].startswith((NOW - 180 * MIN).strftime("%Y-%m-%dT%H:%M"))
    # c2 waits since 07:30 in São Paulo, before the 08:00 opening: 180 wall minutes, 150 open ones.
    # (Waits are measured to now, which moves on while the test runs: compared to the minute.)
    assert (queue["oldest_minutes"], queue["oldest_business_minutes"]) == (about(180), about(150))
    assert (queue["average_minutes"], queue["average_business_minutes"]) == (about(76.67), about(66.67))
    n1 = queue["by_level"]["N1"]
    assert (n1["count"], n1["average_minutes"], n1["average_business_minutes"]) == (2, about(105), about(90))
    assert queue["by_level"]["N2"]["oldest_business_minutes"] == about(20)
    assert queue["by_level"]["N3"] == {
        "count": 0,
        "oldest_since": None,
        "oldest_minutes": None,
        "oldest_business_minutes": None,
        "average_minutes": None,
        "average_business_minutes": None,
    }

    agents = body["agents"]
    assert (agents["active"], agents["available"], agents["online"]) == (5, 4, 3)
    assert (agents["online_capacity"], agents["online_active_conversations"]) == (11, 3)
    assert agents["online_load"] == round(3 / 11, 3)
    rows = {row["id"]: row for row in agents["items"]}
    expected = {
        "a1": (True, 2, 4, 0.5),
        "a2": (False, 0, 5, 0.0),
        "a3": (True, 1, 2, 0.5),
        "a4": (True, 0, 5, 0.0),
    }
    for key, (online, active, capacity, load) in expected.items():
        row = rows[data.agents[key].agent_id]
        assert (row["online"], row["active_conversations"], row["capacity"], row["load"]) == (
            online,
            active,
            capacity,
            load,
        ), key
    assert rows[data.supervisor.agent_id]["online"] is False  # never seen
    assert rows[data.agents["a3"].agent_id]["last_seen_at"].startswith(
        (NOW - 3 * MIN).strftime("%Y-%m-%dT%H:%M")
    )

    today = body["today"]
    assert today["day_start"].startswith("2026-12-01T03:00")
    assert today["first_response"] == {"count": 3, "average_minutes": 31.67, "p90_minutes": 60.0}
    assert today["resolution"] == {"count": 2, "average_minutes": 765.0, "p90_minutes": 1410.0}

    messages = body["messages"]
    assert len(messages["hours"]) == 24
    assert messages["hours"][-1]["hour_start"].startswith("2026-12-01T13:00")
    assert messages["hours"][0]["hour_start"].startswith("2026-11-30T14:00")
    assert hours_by_start(body) == {
        "2026-11-30T14": (1, 0),
        "2026-12-01T11": (0, 1),
        "2026-12-01T12": (3, 1),
        "2026-12-01T13": (2, 3),
    }
    assert (messages["inbound_24h"], messages["outbound_24h"]) == (6, 5)
    assert body["send_failures"] == {"last_hour": 2, "today": 3}
    for part in ("sla", "incidents", "satisfaction"):
        assert isinstance(body[part], dict)


async def test_an_agent_sees_the_totals_and_only_their_own_row(
    seeded: Runtime, make_agent: MakeAgent
) -> None:
    freeze_at(NOW)
    data = await build(seeded, make_agent)
    body = (await data.agents["a1"].get("/api/metrics/live")).json()
    assert [row["id"] for row in body["agents"]["items"]] == [data.agents["a1"].agent_id]
    assert body["agents"]["online"] == 3
    assert body["conversations"]["open"] == 6


async def test_the_roll_up_counts_closed_hours_and_the_snapshot_reads_them(
    seeded: Runtime, make_agent: MakeAgent
) -> None:
    freeze_at(NOW)
    data = await build(seeded, make_agent)
    before = (await data.supervisor.get("/api/metrics/live")).json()
    async with seeded.db("atendimento").session() as session:
        await enqueue(session, ROLL_UP_JOB, {})
        await session.commit()
    assert await drain(seeded) == 1
    async with seeded.db("atendimento").session() as session:
        rows = (
            (await session.execute(select(MessageHourCount).order_by(MessageHourCount.hour_start)))
            .scalars()
            .all()
        )
        # 48 closed hours back from 13:00, zeros included; the current hour is never stored.
        assert len(rows) == 48
        assert rows[-1].hour_start == NOW.replace(minute=0) - timedelta(hours=1)
        counted = {
            row.hour_start.strftime("%Y-%m-%dT%H"): (row.inbound, row.outbound)
            for row in rows
            if row.inbound or row.outbound
        }
        assert counted == {
            "2026-11-30T12": (1, 0),
            "2026-11-30T11": (0, 1),
            "2026-11-30T14": (1, 0),
            "2026-12-01T11": (0, 1),
            "2026-12-01T12": (3, 1),
        }
    after = (await data.supervisor.get("/api/metrics/live")).json()
    assert after["messages"] == before["messages"]

    # Closed hours now come from the table (the proof: a recount there shows up), the current hour live.
    async with seeded.db("atendimento").session() as session:
        hour = NOW.replace(minute=0) - timedelta(hours=1)
        await session.execute(
            update(MessageHourCount).where(MessageHourCount.hour_start == hour).values(inbound=7)
        )
        session.add(
            Message(
                conversation_id=data.conversations["c1"],
                direction="inbound",
                sender_type="contact",
                delivery_status="received",
                created_at=NOW - MIN,
            )
        )
        await session.commit()
    latest = hours_by_start((await data.supervisor.get("/api/metrics/live")).json())
    assert latest["2026-12-01T12"] == (7, 1)
    assert latest["2026-12-01T13"] == (3, 3)


async def test_a_second_roll_up_recounts_the_last_hours_and_fills_a_gap(
    seeded: Runtime, make_agent: MakeAgent
) -> None:
    freeze_at(NOW)
    data = await build(seeded, make_agent)
    async with seeded.db("atendimento").session() as session:
        assert await metrics_service.roll_up_message_hours(session) == 48
        await session.commit()
    # A message of 12:50 committed late, seen by the next roll-up three hours later (a gap to fill).
    async with seeded.db("atendimento").session() as session:
        session.add(
            Message(
                conversation_id=data.conversations["c1"],
                direction="inbound",
                sender_type="contact",
                delivery_status="received",
                created_at=NOW - 40 * MIN,
            )
        )
        await session.commit()
    freeze_at(NOW + timedelta(minutes=10))
    async with seeded.db("atendimento").session() as session:
        assert await metrics_service.roll_up_message_hours(session) == 2  # 11:00 and 12:00 recounted
        await session.commit()
    freeze_at(NOW + timedelta(hours=3))
    async with seeded.db("atendimento").session() as session:
        assert await metrics_service.roll_up_message_hours(session) == 3  # 13:00, 14:00, 15:00
        hours = {
            row.hour_start.strftime("%H"): (row.inbound, row.outbound)
            for row in (await session.execute(select(MessageHourCount))).scalars().all()
            if row.hour_start.day == 1
        }
        await session.commit()
    assert hours["12"] == (4, 1)
    assert hours["13"] == (2, 3)
    assert hours["15"] == (0, 0)


async def test_unauthenticated_is_a_401_json(atendimento: httpx.AsyncClient) -> None:
    for url in ("/api/metrics/live", "/api/metrics/stream"):
        response = await atendimento.get(url)
        assert response.status_code == 401
        assert response.headers["content-type"].startswith("application/json")
        assert response.json()["message"].startswith("Autenticação necessária")


async def test_the_session_cookie_of_the_ui_is_enough(
    seeded: Runtime, atendimento: httpx.AsyncClient, make_agent: MakeAgent
) -> None:
    agent = await make_agent(Role.agent)
    cookie, _ = issue_session(agent.secret, agent.agent_id, 0)
    response = await atendimento.get("/api/metrics/live", headers={"Cookie": f"{SESSION_COOKIE}={cookie}"})
    assert response.status_code == 200, response.text
    assert [row["id"] for row in response.json()["agents"]["items"]] == [agent.agent_id]
