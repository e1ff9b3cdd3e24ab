"""Policies (defaults, validation, audit) and the SLA figures: reports per target, priority and agent
on a small constructed data set, and today's live metrics."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from carinho.atendimento.agents.models import Role
from carinho.atendimento.inbox.models import Contact, Conversation
from carinho.atendimento.seed import seed_defaults
from carinho.atendimento.sla.metrics import live_metrics
from carinho.atendimento.sla.models import SlaTarget
from carinho.runtime import Runtime
from tests.atendimento.conftest import OPEN_INSTANT, MakeAgent, freeze_at

URGENT = {
    "priority": "urgent",
    "first_response_minutes": 10,
    "next_response_minutes": 20,
    "resolution_minutes": 120,
    "at_risk_percent": 75,
    "pause_while_waiting_customer": True,
}


async def test_policies_have_defaults_are_validated_and_changes_are_audited(
    seeded: Runtime, make_agent: MakeAgent
) -> None:
    freeze_at(OPEN_INSTANT)
    agent = await make_agent()
    supervisor = await make_agent(Role.supervisor)
    policies = {p["priority"]: p for p in (await agent.get("/api/sla/policies")).json()}
    assert [policies[p]["first_response_minutes"] for p in ("urgent", "high", "normal", "low")] == [
        15,
        30,
        60,
        240,
    ]
    assert (
        policies["normal"]["resolution_minutes"] == 1440 and policies["low"]["next_response_minutes"] == 480
    )
    assert policies["urgent"]["at_risk_percent"] == 80 and policies["urgent"]["pause_while_waiting_customer"]
    assert policies["urgent"]["priority_label"] == "Urgente"

    assert (await agent.put("/api/sla/policies", json={"policies": [URGENT]})).status_code == 403
    shorter = await supervisor.put(
        "/api/sla/policies", json={"policies": [{**URGENT, "resolution_minutes": 5}]}
    )
    assert shorter.status_code == 400 and "resolução" in shorter.json()["message"]
    over = await supervisor.put("/api/sla/policies", json={"policies": [{**URGENT, "at_risk_percent": 100}]})
    assert over.status_code == 422
    twice = await supervisor.put("/api/sla/policies", json={"policies": [URGENT, URGENT]})
    assert twice.status_code == 400

    changed = await supervisor.put("/api/sla/policies", json={"policies": [URGENT]})
    assert changed.status_code == 200, changed.text
    urgent = next(p for p in changed.json() if p["priority"] == "urgent")
    assert urgent["first_response_minutes"] == 10 and urgent["at_risk_percent"] == 75
    await supervisor.put("/api/sla/policies", json={"policies": [URGENT]})  # no change: not audited again
    [entry] = (await supervisor.get("/api/history", params={"action": "sla.policy_changed"})).json()
    assert entry["before"]["first_response_minutes"] == 15 and entry["after"]["first_response_minutes"] == 10
    assert entry["actor_id"] == supervisor.agent_id

    async with seeded.db("atendimento").session() as session:
        await seed_defaults(session)  # seeding again never overwrites a supervisor's choice
        await session.commit()
    policies = {p["priority"]: p for p in (await agent.get("/api/sla/policies")).json()}
    assert policies["urgent"]["first_response_minutes"] == 10

    bad_window = await supervisor.put("/api/sla/alert-settings", json={"backlog_window_minutes": 0})
    assert bad_window.status_code == 422
    settings = (await supervisor.get("/api/sla/alert-settings")).json()
    assert settings["send_failures_threshold"] == 5 and settings["raised"] == {}


IN_PERIOD = datetime(2026, 11, 10, 15, 0, tzinfo=UTC)


async def _dataset(rt: Runtime, ana: int, bia: int) -> None:
    """Rows as the SLA service leaves them when targets end (the durations already stored)."""
    rows: list[dict[str, Any]] = [
        # first responses
        dict(target="first_response", priority="urgent", status="met", met=True, b=10, w=10, agent=ana),
        dict(target="first_response", priority="urgent", status="met", met=False, b=20, w=25, agent=ana),
        dict(target="first_response", priority="normal", status="met", met=True, b=30, w=91, agent=bia),
        dict(target="first_response", priority="normal", status="ok", met=None, b=None, w=None, agent=None),
        dict(target="first_response", priority="normal", status="met", met=True, b=40, w=40, agent=bia),
        # resolutions and a next response
        dict(target="resolution", priority="urgent", status="met", met=True, b=100, w=200, agent=ana),
        dict(target="resolution", priority="normal", status="breached", met=False, b=None, w=None, agent=bia),
        dict(target="next_response", priority="normal", status="met", met=True, b=5, w=5, agent=bia),
        # before the period: left out
        dict(
            target="first_response",
            priority="normal",
            status="met",
            met=False,
            b=999,
            w=999,
            agent=ana,
            before=True,
        ),
    ]
    async with rt.db("atendimento").session() as session:
        for number, row in enumerate(rows):
            contact = Contact(phone=f"55119000000{number:02d}", name=None)
            session.add(contact)
            await session.flush()
            conversation = Conversation(contact_id=contact.id, status="resolved", priority=row["priority"])
            session.add(conversation)
            await session.flush()
            started = (
                IN_PERIOD - timedelta(days=30) if row.get("before") else IN_PERIOD + timedelta(hours=number)
            )
            session.add(
                SlaTarget(
                    conversation_id=conversation.id,
                    target=row["target"],
                    cycle=1,
                    priority=row["priority"],
                    target_minutes=60,
                    status=row["status"],
                    started_at=started,
                    at_risk_at=started,
                    due_at=started,
                    paused_business_minutes=0.0,
                    revision=1,
                    met_in_time=row["met"],
                    business_minutes=row["b"],
                    wall_minutes=row["w"],
                    agent_id=row["agent"],
                    ended_at=None if row["b"] is None else started + timedelta(minutes=row["w"]),
                )
            )
        await session.commit()


async def test_reports_per_target_priority_and_agent(seeded: Runtime, make_agent: MakeAgent) -> None:
    freeze_at(OPEN_INSTANT)
    supervisor = await make_agent(Role.supervisor)
    ana = await make_agent(name="Ana")
    bia = await make_agent(name="Bia")
    await _dataset(seeded, ana.agent_id, bia.agent_id)
    period = {"from": "2026-11-01T00:00:00-03:00", "to": "2026-12-01T00:00:00-03:00"}

    async def report(group_by: str) -> dict[str, Any]:
        response = await supervisor.get("/api/sla/reports", params={**period, "group_by": group_by})
        assert response.status_code == 200, response.text
        return dict(response.json())

    by_target = await report("target")
    overall = by_target["overall"]
    assert overall["targets"]["first_response"] == {
        "decided": 4,
        "met": 3,
        "breached": 1,
        "running": 1,
        "met_percent": 75.0,
    }
    assert overall["targets"]["resolution"]["met_percent"] == 50.0
    assert overall["targets"]["next_response"]["met_percent"] == 100.0
    assert overall["timings"]["first_response"] == {
        "count": 4,
        "avg_business_minutes": 25.0,
        "p90_business_minutes": 40.0,
        "avg_wall_minutes": 41.5,
        "p90_wall_minutes": 91.0,
    }
    assert overall["timings"]["resolution"]["avg_wall_minutes"] == 200.0
    assert [g["label"] for g in by_target["groups"]] == ["Primeira resposta", "Próxima resposta", "Resolução"]
    assert by_target["from"].startswith("2026-11-01T03:00:00")

    by_priority = {g["key"]: g for g in (await report("priority"))["groups"]}
    assert by_priority["urgent"]["label"] == "Urgente"
    assert by_priority["urgent"]["targets"]["first_response"]["met_percent"] == 50.0
    assert by_priority["normal"]["targets"]["first_response"]["met_percent"] == 100.0
    assert by_priority["normal"]["targets"]["first_response"]["running"] == 1
    assert by_priority["normal"]["targets"]["resolution"]["met_percent"] == 0.0
    assert by_priority["normal"]["timings"]["first_response"]["avg_business_minutes"] == 35.0

    by_agent = {g["label"]: g for g in (await report("agent"))["groups"]}
    assert set(by_agent) == {"Ana", "Bia", "Sem responsável"}
    assert by_agent["Ana"]["targets"]["first_response"]["met_percent"] == 50.0
    assert by_agent["Ana"]["timings"]["resolution"]["p90_business_minutes"] == 100.0
    assert by_agent["Bia"]["targets"]["resolution"]["met_percent"] == 0.0
    assert by_agent["Sem responsável"]["targets"]["first_response"]["met_percent"] is None

    backwards = await supervisor.get("/api/sla/reports", params={"from": period["to"], "to": period["from"]})
    assert backwards.status_code == 400
    naive = await supervisor.get(
        "/api/sla/reports", params={"from": "2026-11-01T00:00:00", "to": period["to"]}
    )
    assert naive.status_code == 400
    assert (await ana.get("/api/sla/reports", params=period)).status_code == 403
    assert (await supervisor.get("/api/sla/reports", params={**period, "group_by": "x"})).status_code == 422


async def test_live_metrics_average_what_ended_today(seeded: Runtime) -> None:
    freeze_at(OPEN_INSTANT)  # Tuesday 10:00 in São Paulo; today began at 03:00 UTC
    async with seeded.db("atendimento").session() as session:
        contact = Contact(phone="5511900000099", name=None)
        session.add(contact)
        await session.flush()
        for cycle, (ended, business, wall) in enumerate(
            [
                (OPEN_INSTANT - timedelta(hours=1), 12.0, 12.0),
                (OPEN_INSTANT, 18.0, 30.0),
                (OPEN_INSTANT - timedelta(hours=11), 500.0, 500.0),
            ],
            start=1,
        ):
            conversation = Conversation(contact_id=contact.id, status="resolved", priority="normal")
            session.add(conversation)
            await session.flush()
            session.add(
                SlaTarget(
                    conversation_id=conversation.id,
                    target="first_response",
                    cycle=cycle,
                    priority="normal",
                    target_minutes=60,
                    status="met",
                    started_at=ended - timedelta(minutes=wall),
                    at_risk_at=ended,
                    due_at=ended,
                    paused_business_minutes=0.0,
                    revision=1,
                    met_in_time=True,
                    business_minutes=business,
                    wall_minutes=wall,
                    ended_at=ended,
                )
            )
        await session.commit()
        figures = await live_metrics(session)
    assert figures["today"]["first_response"] == {
        "count": 2,
        "avg_business_minutes": 15.0,
        "avg_wall_minutes": 21.0,
    }
    assert figures["today"]["resolution"]["count"] == 0
    assert figures["at_risk"] == 0 and figures["breached_by_level"] == {"N1": 0, "N2": 0, "N3": 0}
