"""The business-hours API: status, arithmetic, and supervisors changing the schedule (cache invalidated)."""

from __future__ import annotations

from datetime import UTC, datetime

from carinho.atendimento.agents.models import Role
from carinho.runtime import Runtime
from tests.atendimento.conftest import MakeAgent


def q(value: datetime) -> str:
    return value.isoformat().replace("+00:00", "Z")


async def test_status_and_arithmetic_on_the_seeded_schedule(seeded: Runtime, make_agent: MakeAgent) -> None:
    agent = await make_agent()
    night = datetime(2026, 12, 2, 1, 0, tzinfo=UTC)  # Tuesday 22:00 in São Paulo
    status = (await agent.get(f"/api/working-hours/status?at={q(night)}")).json()
    assert status["open_now"] is False
    assert status["next_opening"].startswith("2026-12-02T11:00:00")
    assert status["next_opening_text"] == "quarta-feira, 02/12 às 08:00"
    added = (await agent.get(f"/api/working-hours/add-minutes?start={q(night)}&minutes=90")).json()
    assert added["result"].startswith("2026-12-02T12:30:00")
    between = await agent.get(
        f"/api/working-hours/between?start={q(night)}&end={q(datetime(2026, 12, 2, 16, 0, tzinfo=UTC))}"
    )
    assert between.json()["business_minutes"] == 240 + 0  # 08:00-12:00, then lunch until 13:00 local
    # A year of business minutes runs past the calendar's search horizon: a 400, not a 500 (fuzz).
    beyond = await agent.get(f"/api/working-hours/add-minutes?start={q(night)}&minutes=525600")
    assert beyond.status_code == 400 and "horário de atendimento" in beyond.json()["message"]
    naive = await agent.get("/api/working-hours/status?at=2026-12-02T01:00:00")
    assert naive.status_code == 400
    holidays = (await agent.get("/api/working-hours/holidays?year=2026")).json()
    assert {"day": "2026-12-25", "name": "Natal"} in holidays
    assert {"day": "2026-07-09", "name": "Revolução Constitucionalista"} in holidays


async def test_supervisors_change_the_schedule_and_it_applies_at_once(
    seeded: Runtime, make_agent: MakeAgent
) -> None:
    supervisor = await make_agent(Role.supervisor)
    sunday_noon = datetime(2026, 12, 6, 17, 0, tzinfo=UTC)  # 14:00 in São Paulo
    assert (await supervisor.get(f"/api/working-hours/status?at={q(sunday_noon)}")).json()[
        "open_now"
    ] is False
    week = {
        "days": [
            {
                "weekday": d,
                "intervals": [{"start": "08:00", "end": "12:00"}, {"start": "13:00", "end": "24:00"}],
            }
            for d in range(7)
        ]
    }
    changed = await supervisor.put("/api/working-hours/weekly", json=week)
    assert changed.status_code == 200, changed.text
    assert changed.json()[6]["weekday_label"] == "domingo"
    assert (await supervisor.get(f"/api/working-hours/status?at={q(sunday_noon)}")).json()["open_now"] is True

    closure = await supervisor.post(
        "/api/working-hours/company-dates",
        json={"day": "2026-12-06", "kind": "closed", "description": "Inventário"},
    )
    assert closure.status_code == 201, closure.text
    assert (await supervisor.get(f"/api/working-hours/status?at={q(sunday_noon)}")).json()[
        "open_now"
    ] is False
    duplicate = await supervisor.post(
        "/api/working-hours/company-dates", json={"day": "2026-12-06", "kind": "closed"}
    )
    assert duplicate.status_code == 409
    await supervisor.delete(f"/api/working-hours/company-dates/{closure.json()['id']}")
    assert (await supervisor.get(f"/api/working-hours/status?at={q(sunday_noon)}")).json()["open_now"] is True

    overlapping = {
        "days": [
            {
                "weekday": 0,
                "intervals": [{"start": "08:00", "end": "12:00"}, {"start": "11:00", "end": "13:00"}],
            }
        ]
    }
    assert (await supervisor.put("/api/working-hours/weekly", json=overlapping)).status_code == 400

    carnival_monday = datetime(2026, 2, 16, 13, 0, tzinfo=UTC)
    assert (await supervisor.get(f"/api/working-hours/status?at={q(carnival_monday)}")).json()[
        "open_now"
    ] is True
    calendar = await supervisor.put(
        "/api/working-hours/calendar", json={"state": "SP", "city": None, "optional_holidays": ["Carnaval"]}
    )
    assert calendar.status_code == 200, calendar.text
    assert (await supervisor.get(f"/api/working-hours/status?at={q(carnival_monday)}")).json()[
        "open_now"
    ] is False
    unknown = await supervisor.put(
        "/api/working-hours/calendar", json={"state": "SP", "optional_holidays": ["Dia do Chocolate"]}
    )
    assert unknown.status_code == 400
    bad_city = await supervisor.put(
        "/api/working-hours/calendar", json={"state": "MG", "city": "Belo Horizonte"}
    )
    assert bad_city.status_code == 400
    assert "datas da empresa" in bad_city.json()["message"]
