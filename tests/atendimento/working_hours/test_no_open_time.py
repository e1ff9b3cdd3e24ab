"""A calendar with no open time: a week that never opens is refused (the page's test is in
web/test_settings_hours.py); a calendar whose closures cover the whole search horizon never fails
an inbound message — the SLA waits paused and flagged, the out-of-hours message is skipped — and
the SLA is scheduled once the calendar opens again."""

from __future__ import annotations

from datetime import date, timedelta

import httpx
from sqlalchemy import select

from carinho.atendimento.agents.models import Role
from carinho.atendimento.automations.models import AutoMessageFiring
from carinho.atendimento.history.models import HistoryEntry
from carinho.atendimento.history.service import Action
from carinho.atendimento.inbox.models import Alert, Message
from carinho.atendimento.sla.models import SlaTarget
from carinho.atendimento.sla.monitor import run_monitor
from carinho.atendimento.working_hours.calendar import SEARCH_HORIZON_DAYS
from carinho.atendimento.working_hours.models import CompanyDate
from carinho.atendimento.working_hours.repository import WorkingHoursRepository
from carinho.atendimento.working_hours.service import working_hours_service
from carinho.kit.clock import utcnow
from carinho.runtime import Runtime
from tests.atendimento.conftest import OPEN_INSTANT, MakeAgent, freeze_at, post_webhook, received


async def test_a_week_without_open_hours_is_refused(seeded: Runtime, make_agent: MakeAgent) -> None:
    supervisor = await make_agent(Role.supervisor)
    refused = await supervisor.put(
        "/api/working-hours/weekly", json={"days": [{"weekday": d, "intervals": []} for d in range(7)]}
    )
    assert refused.status_code == 400, refused.text
    assert "ao menos um horário de atendimento" in refused.json()["message"]
    assert (await supervisor.put("/api/working-hours/weekly", json={"days": []})).status_code == 400
    weekly = (await supervisor.get("/api/working-hours/weekly")).json()
    assert any(day["intervals"] for day in weekly)  # the seeded schedule stands


async def _close_every_monday_but_mondays_only(rt: Runtime) -> None:
    """Open on Mondays only, and every Monday of the search horizon is a company closure."""
    async with rt.db("atendimento").session() as session:
        await WorkingHoursRepository(session).replace_weekly([(0, 8 * 60, 18 * 60)])
        today = utcnow().date()
        day = today - timedelta(days=today.weekday() + 7)
        while day <= today + timedelta(days=SEARCH_HORIZON_DAYS + 14):
            session.add(CompanyDate(day=day, kind="closed", intervals=[], description="Reforma"))
            day += timedelta(days=7)
        await session.commit()
    working_hours_service.invalidate()


async def test_an_inbound_message_is_stored_when_the_calendar_never_opens(
    seeded: Runtime, atendimento: httpx.AsyncClient
) -> None:
    freeze_at(OPEN_INSTANT)
    await _close_every_monday_but_mondays_only(seeded)

    response = await post_webhook(atendimento, received("MSG-NO-HOURS"))
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "created"
    conversation_id = response.json()["conversation_id"]
    async with seeded.db("atendimento").session() as session:
        message = await session.get(Message, response.json()["message_id"])
        assert message is not None and message.content == "Olá, preciso de uma cuidadora"
        targets = (
            (await session.execute(select(SlaTarget).where(SlaTarget.conversation_id == conversation_id)))
            .scalars()
            .all()
        )
        assert {t.target for t in targets} == {"first_response", "resolution"}
        assert all(t.paused_since is not None and t.status == "ok" for t in targets)
        flagged = (
            await session.execute(
                select(HistoryEntry).where(HistoryEntry.action == Action.sla_paused_no_business_time)
            )
        ).scalar_one()
        assert flagged.conversation_id == conversation_id
        alerts = select(Alert).where(Alert.kind == "sla_no_business_time")
        alert = (await session.execute(alerts)).scalar_one()
        assert "calendário" in alert.title
        firings = (await session.execute(select(AutoMessageFiring))).scalars().all()
        assert not [f for f in firings if f.kind == "out_of_hours"]

    # The monitor leaves the paused targets alone while there is no business time ...
    async with seeded.db("atendimento").session() as session:
        assert (await run_monitor(session)).breached == 0
        await session.commit()
    # ... and schedules them once the calendar opens again.
    async with seeded.db("atendimento").session() as session:
        await WorkingHoursRepository(session).replace_weekly([(1, 8 * 60, 18 * 60)])
        await session.commit()
    working_hours_service.invalidate()
    async with seeded.db("atendimento").session() as session:
        await run_monitor(session)
        await session.commit()
        targets = (
            (await session.execute(select(SlaTarget).where(SlaTarget.conversation_id == conversation_id)))
            .scalars()
            .all()
        )
        assert all(t.paused_since is None for t in targets)
        assert all(t.due_at.date() < date(2027, 1, 1) for t in targets)
