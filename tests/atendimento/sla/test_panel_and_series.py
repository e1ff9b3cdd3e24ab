"""GET /api/sla/panel (now: at risk / breached per level and priority, % met, open breaches) and
GET /api/sla/reports/series (per day or week, per priority, agent or level)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from carinho.atendimento.agents.models import Role
from carinho.runtime import Runtime
from tests.atendimento.conftest import OPEN_INSTANT, MakeAgent, freeze_at
from tests.atendimento.sla.panel_data import conversation_in_state, ended_target
from tests.atendimento.sla.test_reports import _dataset


async def test_panel_counts_now_per_level_and_priority_and_lists_open_breaches(
    seeded: Runtime, make_agent: MakeAgent
) -> None:
    freeze_at(OPEN_INSTANT)  # Tuesday 1 December, 10:00 in São Paulo
    supervisor = await make_agent(Role.supervisor)
    agent = await make_agent()
    await conversation_in_state(seeded, status="at_risk", level="N1", priority="high")
    await conversation_in_state(seeded, status="at_risk", level="N2", priority="high")
    late = await conversation_in_state(
        seeded,
        status="breached",
        level="N2",
        priority="urgent",
        breached_due=OPEN_INSTANT - timedelta(minutes=45),
        assignee_id=agent.agent_id,
        assignee_name="Carla Dias",
    )
    await conversation_in_state(seeded, status="ok", level="N3", priority="low")
    # today (10:00): two high-priority targets decided, one met; Monday: one more met
    await ended_target(seeded, started_at=OPEN_INSTANT - timedelta(hours=1), priority="high", met=True)
    await ended_target(seeded, started_at=OPEN_INSTANT - timedelta(hours=2), priority="high", met=False)
    await ended_target(seeded, started_at=OPEN_INSTANT - timedelta(days=1), priority="high", met=True)
    # last week: outside this week's figure
    await ended_target(seeded, started_at=OPEN_INSTANT - timedelta(days=3), priority="high", met=False)

    response = await supervisor.get("/api/sla/panel")
    assert response.status_code == 200, response.text
    panel: dict[str, Any] = response.json()
    assert panel["at_risk"]["total"] == 2 and panel["at_risk"]["by_level"] == {"N1": 1, "N2": 1, "N3": 0}
    assert panel["at_risk"]["by_priority"]["high"] == 2
    assert panel["breached"]["total"] == 1 and panel["breached"]["matrix"]["N2"]["urgent"] == 1
    targets = {t["priority"]: t for t in panel["targets"]}
    assert [t["priority"] for t in panel["targets"]] == ["urgent", "high", "normal", "low"]
    assert targets["high"]["first_response_minutes"] == 30
    assert targets["high"]["today"] == {"decided": 2, "met": 1, "met_percent": 50.0}
    assert targets["high"]["week"] == {"decided": 3, "met": 2, "met_percent": 66.7}
    assert targets["low"]["today"]["met_percent"] is None
    [breach] = panel["breaches"]
    assert breach["conversation_id"] == late and breach["open"] and breach["assignee_name"] == "Carla Dias"
    assert 44 <= breach["late_minutes"] <= 47 and breach["target_label"] == "primeira resposta"

    assert (await agent.get("/api/sla/panel")).status_code == 403


async def test_series_per_day_and_week_per_priority_agent_and_level(
    seeded: Runtime, make_agent: MakeAgent
) -> None:
    freeze_at(OPEN_INSTANT)
    supervisor = await make_agent(Role.supervisor)
    ana = await make_agent(name="Ana")
    bia = await make_agent(name="Bia")
    await _dataset(seeded, ana.agent_id, bia.agent_id)  # targets started on 10/11 (São Paulo)
    period = {"from": "2026-11-09T00:00:00-03:00", "to": "2026-11-12T00:00:00-03:00"}

    async def series(**params: str) -> dict[str, Any]:
        response = await supervisor.get("/api/sla/reports/series", params={**period, **params})
        assert response.status_code == 200, response.text
        return dict(response.json())

    daily = await series()
    assert [p["label"] for p in daily["overall"]] == ["09/11", "10/11", "11/11"]
    empty, day, _ = daily["overall"]
    assert empty["met_percent"] is None and empty["first_response"]["count"] == 0
    assert day["decided"] == 7 and day["met"] == 5 and day["met_percent"] == 71.4
    assert day["first_response"] == {"count": 4, "avg_business_minutes": 25.0, "p90_business_minutes": 40.0}
    assert day["resolution"]["avg_business_minutes"] == 100.0
    by_priority = {g["key"]: g for g in daily["groups"]}
    assert by_priority["urgent"]["label"] == "Urgente"
    assert by_priority["urgent"]["points"][1]["met_percent"] == 66.7  # 2 of 3
    assert by_priority["normal"]["points"][1]["first_response"]["avg_business_minutes"] == 35.0

    weekly = await series(bucket="week", group_by="agent")
    assert [p["label"] for p in weekly["overall"]] == ["sem. 09/11"]
    agents = {g["label"]: g for g in weekly["groups"]}
    assert set(agents) == {"Ana", "Bia", "Sem responsável"}
    assert agents["Ana"]["points"][0]["resolution"]["p90_business_minutes"] == 100.0

    levels = await series(group_by="level")
    assert [g["label"] for g in levels["groups"]] == ["N1"] and levels["groups"][0]["total"] == 7

    bad = await supervisor.get("/api/sla/reports/series", params={"from": period["to"], "to": period["from"]})
    assert bad.status_code == 400
    assert (
        await supervisor.get("/api/sla/reports/series", params={**period, "bucket": "ano"})
    ).status_code == 422
    assert (await ana.get("/api/sla/reports/series", params=period)).status_code == 403
