"""NPS and CSAT over a constructed set of surveys: the formula, the groups, the live figure."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from carinho.atendimento.agents.models import Role
from carinho.atendimento.inbox.models import Contact, Conversation
from carinho.atendimento.satisfaction.metrics import live_metrics
from carinho.atendimento.satisfaction.models import Survey
from carinho.atendimento.satisfaction.reports import nps
from carinho.runtime import Runtime
from tests.atendimento.conftest import Api, MakeAgent, freeze_at


@pytest.mark.parametrize(
    ("scores", "expected"),
    [
        ([], None),
        ([10], 100.0),
        ([0], -100.0),
        ([7, 8], 0.0),
        ([9, 10, 0, 6], 0.0),
        ([10, 9, 8, 3], 25.0),  # 50 % promoters − 25 % detractors
        ([10, 9, 7, 3, 6, 8, 10], 14.3),
        ([6, 6, 9], -33.3),
    ],
)
def test_nps_is_promoters_minus_detractors_in_percent(scores: list[int], expected: float | None) -> None:
    assert nps(scores) == expected


def at(month: int, day: int) -> datetime:
    return datetime(2026, month, day, 15, 0, tzinfo=UTC)


# (agent, level, labels, source, sent, score, csat, channel, answered)
ROWS: list[tuple[str | None, str | None, list[str], str, datetime, int | None, int | None, str | None]] = [
    ("a", "N1", ["cuidador"], "conversation", at(12, 1), 10, 5, "whatsapp"),
    ("a", "N1", ["cuidador", "preco"], "conversation", at(12, 2), 9, 4, "link"),
    ("a", "N1", [], "conversation", at(12, 3), 7, None, "whatsapp"),
    ("a", "N1", ["reclamacao"], "conversation", at(12, 4), 3, 2, "whatsapp"),
    ("b", "N2", [], "conversation", at(12, 5), 6, None, "whatsapp"),
    ("b", "N2", [], "conversation", at(12, 6), 8, None, "link"),
    ("b", "N2", [], "conversation", at(12, 7), None, None, None),
    ("b", "N2", [], "conversation", at(12, 8), None, None, None),
    (None, None, [], "service", at(11, 20), 10, None, "link"),
    ("a", "N1", [], "conversation", at(10, 5), 0, None, "whatsapp"),  # before the period
]


async def build(rt: Runtime, agents: dict[str, Api]) -> None:
    async with rt.db("atendimento").session() as session:
        contact = Contact(phone="5511955559999", name="Cliente Relatório")
        session.add(contact)
        await session.flush()
        for n, (agent, level, labels, source, sent, score, csat, channel) in enumerate(ROWS):
            conversation = Conversation(contact_id=contact.id, status="closed", priority="normal", level="N1")
            session.add(conversation)
            await session.flush()
            session.add(
                Survey(
                    source=source,
                    status="answered" if score is not None else "sent",
                    token=f"report-token-{n}",
                    contact_id=contact.id,
                    conversation_id=conversation.id,
                    conversation_key=conversation.id if source == "conversation" else None,
                    service_id=f"SRV-{n}" if source == "service" else None,
                    agent_id=agents[agent].agent_id if agent else None,
                    level=level,
                    labels=labels,
                    sent_at=sent,
                    score=score,
                    csat=csat,
                    answer_channel=channel,
                    answered_at=sent if score is not None else None,
                    late=False,
                )
            )
        await session.commit()


def groups(report: dict[str, Any]) -> dict[str | None, dict[str, Any]]:
    return {g["key"]: g for g in report["groups"]}


async def test_nps_csat_and_response_rate_per_group(seeded: Runtime, make_agent: MakeAgent) -> None:
    freeze_at(at(12, 15))
    supervisor = await make_agent(Role.supervisor)
    agents = {"a": await make_agent(name="Ana"), "b": await make_agent(name="Bruno")}
    await build(seeded, agents)
    period = {"from": "2026-11-01T00:00:00-03:00", "to": "2027-01-01T00:00:00-03:00"}

    async def report(group_by: str | None = None, **extra: str) -> dict[str, Any]:
        params = {**period, **({"group_by": group_by} if group_by else {}), **extra}
        response = await supervisor.get("/api/satisfaction/nps", params=params)
        assert response.status_code == 200, response.text
        return dict(response.json())

    overall = (await report())["overall"]
    assert (overall["sent"], overall["responses"], overall["response_rate"]) == (9, 7, 77.8)
    assert (overall["promoters"], overall["passives"], overall["detractors"]) == (3, 2, 2)
    assert overall["nps"] == 14.3
    assert (overall["csat_responses"], overall["csat"]) == (3, 66.7)

    by_agent = groups(await report("agent"))
    ana, bruno = by_agent[str(agents["a"].agent_id)], by_agent[str(agents["b"].agent_id)]
    assert (ana["label"], ana["sent"], ana["nps"], ana["response_rate"]) == ("Ana", 4, 25.0, 100.0)
    assert (bruno["label"], bruno["sent"], bruno["nps"], bruno["response_rate"]) == ("Bruno", 4, -50.0, 50.0)
    assert (by_agent[None]["label"], by_agent[None]["nps"]) == ("Sem atendente", 100.0)

    by_level = groups(await report("level"))
    assert (by_level["N1"]["nps"], by_level["N2"]["nps"], by_level[None]["sent"]) == (25.0, -50.0, 1)

    by_category = groups(await report("category"))
    assert by_category["cuidador"]["sent"] == 2 and by_category["cuidador"]["nps"] == 100.0
    assert by_category["preco"]["nps"] == 100.0
    assert by_category["reclamacao"]["nps"] == -100.0
    assert (by_category[None]["label"], by_category[None]["sent"], by_category[None]["nps"]) == (
        "Sem etiqueta",
        6,
        0.0,
    )

    by_channel = groups(await report("channel"))
    assert (by_channel["whatsapp"]["responses"], by_channel["whatsapp"]["nps"]) == (4, -25.0)
    assert (by_channel["link"]["responses"], by_channel["link"]["nps"]) == (3, 66.7)
    assert by_channel["link"]["response_rate"] is None

    by_month = groups(await report("period", period="month"))
    assert list(by_month) == ["2026-11-01", "2026-12-01"]
    assert (by_month["2026-11-01"]["sent"], by_month["2026-12-01"]["sent"]) == (1, 8)
    by_source = groups(await report("source"))
    assert (by_source["service"]["nps"], by_source["conversation"]["sent"]) == (100.0, 8)

    async with seeded.db("atendimento").session() as session:
        live = await live_metrics(session)
    # The last 30 days of answers (from Nov 15): the October detractor is out.
    assert (live["nps_30d"], live["responses_30d"], live["promoters_30d"], live["detractors_30d"]) == (
        14.3,
        7,
        3,
        2,
    )


async def test_report_parameters_are_checked(seeded: Runtime, make_agent: MakeAgent) -> None:
    supervisor = await make_agent(Role.supervisor)
    agent = await make_agent()
    assert (await agent.get("/api/satisfaction/nps")).status_code == 403
    empty = await supervisor.get("/api/satisfaction/nps")
    assert empty.status_code == 200 and empty.json()["overall"]["nps"] is None
    backwards = await supervisor.get(
        "/api/satisfaction/nps", params={"from": "2026-12-02T00:00:00Z", "to": "2026-12-01T00:00:00Z"}
    )
    assert backwards.status_code == 400
    naive = await supervisor.get("/api/satisfaction/nps", params={"from": "2026-12-01T00:00:00"})
    assert naive.status_code == 400
    assert (await supervisor.get("/api/satisfaction/nps", params={"group_by": "x"})).status_code == 422


async def test_settings_are_a_supervisors_row(seeded: Runtime, make_agent: MakeAgent) -> None:
    supervisor = await make_agent(Role.supervisor)
    agent = await make_agent()
    current = (await supervisor.get("/api/satisfaction/settings")).json()
    assert (current["send_delay_minutes"], current["reminder_after_hours"], current["late_after_days"]) == (
        5,
        24,
        7,
    )
    assert (await agent.put("/api/satisfaction/settings", json={"enabled": False})).status_code == 403
    assert (
        await supervisor.put("/api/satisfaction/settings", json={"late_after_days": 0})
    ).status_code == 422
    changed = await supervisor.put(
        "/api/satisfaction/settings", json={"send_delay_minutes": 30, "csat_enabled": False}
    )
    assert changed.status_code == 200
    assert (changed.json()["send_delay_minutes"], changed.json()["csat_enabled"]) == (30, False)
    assert changed.json()["reminder_after_hours"] == 24
    assert (await supervisor.get("/api/satisfaction/settings")).json()["send_delay_minutes"] == 30
