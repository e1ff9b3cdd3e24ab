"""Emergencies end to end, against the operação and Z-API simulators on a real socket: operação
fails at first and gets exactly one occurrence in the end; the conversation turns urgent and N3;
supervisors get one alert; the customer gets the SAMU advice; a banner shows until acknowledged."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from carinho.atendimento.agents.models import Role
from carinho.atendimento.history.actor import Actor
from carinho.atendimento.inbox.models import Alert
from carinho.atendimento.inbox.service import inbox_service
from carinho.atendimento.incidents.delivery import (
    EMERGENCY_JOB,
    MAX_DELIVERY_ATTEMPTS,
    deliver,
    idempotency_key,
)
from carinho.atendimento.incidents.metrics import live_metrics
from carinho.atendimento.incidents.models import Incident
from carinho.atendimento.incidents.service import incident_service
from carinho.connectors.operacao import OperacaoClient
from carinho.connectors.operacao.schemas import EmergencyInput
from carinho.kit import clock
from carinho.runtime import Runtime
from tests.atendimento.conftest import (
    OPEN_INSTANT,
    MakeAgent,
    Simulators,
    freeze_at,
    post_webhook,
    received,
)
from tests.atendimento.incidents.conftest import conversation_of
from tests.support.jobs import drain, outbox_rows

PHONE = "5511955554444"
# Retries are seconds apart: the clock moves only when a test moves it, however slow the machine.
pytestmark = pytest.mark.usefixtures("still_clock")


async def incident_row(rt: Runtime, incident_id: int) -> Incident:
    async with rt.db("atendimento").session() as session:
        incident = await session.get(Incident, incident_id)
        assert incident is not None
        return incident


async def alerts_of(rt: Runtime, kind: str) -> list[Alert]:
    async with rt.db("atendimento").session() as session:
        return list((await session.execute(select(Alert).where(Alert.kind == kind))).scalars())


async def metrics(rt: Runtime) -> dict[str, Any]:
    async with rt.db("atendimento").session() as session:
        return await live_metrics(session)


async def test_an_emergency_reaches_operacao_once_despite_failures_and_shows_until_acknowledged(
    simulators: Simulators, atendimento: httpx.AsyncClient, make_agent: MakeAgent
) -> None:
    rt = simulators.rt
    agent = await make_agent()
    supervisor = await make_agent(Role.supervisor)
    await make_agent(Role.supervisor)
    conversation_id = await conversation_of(atendimento, supervisor, agent, phone=PHONE, message_id="EMG-1")
    await drain(rt, ("atendimento",))  # the welcome message goes out first
    await simulators.faults(fail_next=3, fail_status=503)

    reported = await agent.post(
        f"/api/conversations/{conversation_id}/emergency",
        json={"category_code": "queda_acidente", "description": "Minha mãe caiu no banheiro"},
    )
    assert reported.status_code == 201, reported.text
    incident = reported.json()
    incident_id = incident["id"]
    assert (incident["is_emergency"], incident["severity"], incident["status"]) == (True, "critical", "open")
    assert incident["category"]["code"] == "queda_acidente"
    assert incident["emergency"]["delivery_state"] == "pending"
    assert incident["emergency"]["source"] == "agent"

    conversation = (await supervisor.get(f"/api/conversations/{conversation_id}")).json()
    assert (conversation["priority"], conversation["level"]) == ("urgent", "N3")
    [alert] = (await supervisor.get("/api/alerts")).json()
    assert (alert["kind"], alert["severity"], alert["conversation_id"]) == (
        "emergency",
        "critical",
        conversation_id,
    )
    banner = (await supervisor.get(f"/api/conversations/{conversation_id}/emergency-banner")).json()
    assert banner["active"] is True
    assert [b["incident_id"] for b in banner["emergencies"]] == [incident_id]
    assert "Queda/acidente" in banner["emergencies"][0]["text"]
    live = await metrics(rt)
    assert live["incidents_open_by_severity"]["critical"] == 1
    assert (live["emergencies_unacknowledged"], live["emergencies_undelivered"]) == (1, 1)
    # The job went on the high lane, in the same transaction as the incident.
    [job] = [row for row in await outbox_rows(rt, "atendimento") if row.job == EMERGENCY_JOB]  # type: ignore[attr-defined]
    assert job.lane == "atendimento-high"  # type: ignore[attr-defined]

    # Three failures, each recorded on the incident, each followed by a retry after a backoff.
    await drain(rt, ("atendimento",))
    row = await incident_row(rt, incident_id)
    assert (row.delivery_state, row.delivery_attempts) == ("pending", 1)
    assert row.delivery_last_error and "tentativa 1" in row.delivery_last_error
    assert await simulators.occurrences() == []
    for attempt, wait in ((2, timedelta(seconds=5)), (3, timedelta(seconds=15))):
        [retry] = [
            row
            for row in await outbox_rows(rt, "atendimento")
            if row.job == EMERGENCY_JOB and row.args["attempt"] == attempt  # type: ignore[attr-defined]
        ]
        # Scheduled its backoff after the failure (the row was written then) ...
        assert abs(retry.available_at - retry.created_at - wait) < timedelta(seconds=1)  # type: ignore[attr-defined]
        # ... and not run before it: the clock goes back to the failure, however long the test took.
        freeze_at(retry.created_at)  # type: ignore[attr-defined]
        await drain(rt, ("atendimento",))
        assert (await incident_row(rt, incident_id)).delivery_attempts == attempt - 1  # not due yet
        freeze_at(retry.available_at)  # type: ignore[attr-defined]
        await drain(rt, ("atendimento",))
        assert (await incident_row(rt, incident_id)).delivery_attempts == attempt
    # After three failures the supervisors are told to phone operação; the retries go on.
    [failing] = await alerts_of(rt, "emergency_delivery_failing")
    assert failing.severity == "critical"
    clock.advance(timedelta(seconds=31))
    await drain(rt, ("atendimento",))

    row = await incident_row(rt, incident_id)
    assert (row.delivery_state, row.delivery_attempts, row.delivery_last_error) == ("delivered", 4, None)
    [occurrence] = await simulators.occurrences()
    assert await simulators.operacao_calls() == 4
    assert row.operacao_occurrence_id == str(occurrence["id"])
    assert row.operacao_protocol == occurrence["protocol"]
    assert occurrence["protocol"].startswith("EMG-")
    assert (occurrence["category"], occurrence["severity"], occurrence["client_phone"]) == (
        "queda",
        "critica",
        PHONE,
    )
    assert occurrence["conversation_id"] == conversation_id
    assert "Minha mãe caiu no banheiro" in occurrence["description"]
    shown = (await agent.get(f"/api/incidents/{incident_id}")).json()
    assert shown["emergency"]["operacao_protocol"] == occurrence["protocol"]
    assert [e["action"] for e in shown["timeline"]] == ["opened", "emergency_delivered"]

    # The customer was told help is on the way, and to call SAMU.
    texts = await simulators.whatsapp_texts(PHONE)
    assert sum("SAMU: 192" in t for t in texts) == 1
    messages = (await supervisor.get(f"/api/conversations/{conversation_id}/messages")).json()
    [automatic] = [m for m in messages if "SAMU" in (m["content"] or "")]
    assert (automatic["sender_type"], automatic["automation"]) == ("automation", "emergency")

    # Reporting again changes nothing: the same incident, no second occurrence or alert.
    again = await supervisor.post(f"/api/conversations/{conversation_id}/emergency", json={})
    assert (again.status_code, again.json()["id"]) == (200, incident_id)
    await drain(rt, ("atendimento",))
    assert len(await simulators.occurrences()) == 1
    assert len(await alerts_of(rt, "emergency")) == 1

    # The banner stays until someone acknowledges; acknowledging is recorded and done once.
    assert (await supervisor.get(f"/api/conversations/{conversation_id}/emergency-banner")).json()["active"]
    acknowledged = await supervisor.post(f"/api/incidents/{incident_id}/acknowledge")
    assert acknowledged.status_code == 200, acknowledged.text
    ack = acknowledged.json()["emergency"]
    assert ack["acknowledged_by"]["id"] == supervisor.agent_id
    assert ack["acknowledged_at"] is not None
    second = (await supervisor.post(f"/api/incidents/{incident_id}/acknowledge")).json()
    assert second["emergency"]["acknowledged_at"] == ack["acknowledged_at"]
    banner = (await supervisor.get(f"/api/conversations/{conversation_id}/emergency-banner")).json()
    assert banner == {"active": False, "emergencies": []}
    # A supervisor's acknowledgement also acknowledges the alert.
    assert [a["kind"] for a in (await supervisor.get("/api/alerts")).json() if a["kind"] == "emergency"] == []
    live = await metrics(rt)
    assert (live["emergencies_unacknowledged"], live["emergencies_undelivered"]) == (0, 0)

    history = (await supervisor.get(f"/api/conversations/{conversation_id}/history")).json()
    actions = [e["action"] for e in history]
    for action in (
        "incident.opened",
        "conversation.priority_changed",
        "conversation.level_changed",
        "emergency.reported",
        "emergency.acknowledged",
    ):
        assert actions.count(action) == 1, action
    reported_entry = next(e for e in history if e["action"] == "emergency.reported")
    assert reported_entry["after"]["protocol"] == occurrence["protocol"]
    acknowledged_entry = next(e for e in history if e["action"] == "emergency.acknowledged")
    assert acknowledged_entry["actor_id"] == supervisor.agent_id


async def test_report_emergency_opens_one_emergency_per_conversation(
    simulators: Simulators, atendimento: httpx.AsyncClient, make_agent: MakeAgent
) -> None:
    """The entry point the escalation rules call: idempotent while the emergency is open."""
    rt = simulators.rt
    supervisor = await make_agent(Role.supervisor)
    conversation_id = await conversation_of(atendimento, supervisor, None, phone=PHONE, message_id="EMG-2")
    rule = Actor.automation("escalation:keywords")
    async with rt.db("atendimento").session() as session:
        conversation = await inbox_service.get(session, conversation_id)
        first = await incident_service.report_emergency(
            session, conversation, source="keyword_rule", actor=rule, description="socorro"
        )
        same = await incident_service.report_emergency(
            session, conversation, source="keyword_rule", actor=rule
        )
        await session.commit()
    async with rt.db("atendimento").session() as session:
        conversation = await inbox_service.get(session, conversation_id)
        later = await incident_service.report_emergency(
            session, conversation, category_code="queda_acidente", source="agent", actor=rule
        )
        await session.commit()
    assert first.id == same.id == later.id
    assert (first.category.code, first.owner_id, first.source) == ("emergencia_saude", None, "keyword_rule")
    async with rt.db("atendimento").session() as session:
        count = (await session.execute(select(func.count()).select_from(Incident))).scalar_one()
        assert count == 1
    jobs = [row for row in await outbox_rows(rt, "atendimento") if row.job == EMERGENCY_JOB]  # type: ignore[attr-defined]
    assert len(jobs) == 1
    assert len(await alerts_of(rt, "emergency")) == 1
    await drain(rt, ("atendimento",))
    assert len(await simulators.occurrences()) == 1

    # Once resolved, a new emergency on the same conversation is a new incident; reopening the
    # old one while the new one is open is refused.
    for status, extra in (("in_progress", {}), ("resolved", {"resolution": "SAMU levou ao hospital"})):
        moved = await supervisor.post(f"/api/incidents/{first.id}/status", json={"status": status, **extra})
        assert moved.status_code == 200, moved.text
    assert (await supervisor.get(f"/api/conversations/{conversation_id}/emergency-banner")).json()[
        "active"
    ] is False
    async with rt.db("atendimento").session() as session:
        conversation = await inbox_service.get(session, conversation_id)
        new = await incident_service.report_emergency(session, conversation, source="agent", actor=rule)
        await session.commit()
    assert new.id != first.id
    reopen = await supervisor.post(f"/api/incidents/{first.id}/status", json={"status": "in_progress"})
    assert reopen.status_code == 409
    assert reopen.json()["details"] == {"open_emergency_id": new.id}
    await drain(rt, ("atendimento",))
    assert len(await simulators.occurrences()) == 2
    assert len(await alerts_of(rt, "emergency")) == 2


async def test_a_retry_after_a_lost_answer_does_not_open_a_second_occurrence(
    simulators: Simulators, atendimento: httpx.AsyncClient, make_agent: MakeAgent
) -> None:
    rt = simulators.rt
    supervisor = await make_agent(Role.supervisor)
    conversation_id = await conversation_of(
        atendimento, supervisor, supervisor, phone=PHONE, message_id="EMG-3"
    )
    incident_id = (await supervisor.post(f"/api/conversations/{conversation_id}/emergency", json={})).json()[
        "id"
    ]
    # An earlier attempt reached operação but its answer never came back (a crash, a timeout).
    row = await incident_row(rt, incident_id)
    async with OperacaoClient(rt.settings) as client:
        lost = await client.report_emergency(
            EmergencyInput.model_validate(row.operacao_payload), idempotency_key=idempotency_key(incident_id)
        )
    await drain(rt, ("atendimento",))
    row = await incident_row(rt, incident_id)
    assert (row.delivery_state, row.operacao_occurrence_id) == ("delivered", str(lost.id))
    assert len(await simulators.occurrences()) == 1


async def test_operacao_refusing_the_emergency_alerts_at_once_and_keeps_trying(
    simulators: Simulators, atendimento: httpx.AsyncClient, make_agent: MakeAgent
) -> None:
    rt = simulators.rt
    supervisor = await make_agent(Role.supervisor)
    conversation_id = await conversation_of(
        atendimento, supervisor, supervisor, phone=PHONE, message_id="EMG-4"
    )
    await simulators.faults(fail_next=1, fail_status=422, fail_body={"message": "Dados inválidos."})
    incident_id = (
        await supervisor.post(
            f"/api/conversations/{conversation_id}/emergency", json={"category_code": "outro"}
        )
    ).json()["id"]
    await drain(rt, ("atendimento",))
    row = await incident_row(rt, incident_id)
    assert (row.delivery_state, row.delivery_attempts) == ("pending", 1)
    assert len(await alerts_of(rt, "emergency_delivery_failing")) == 1
    # Not a health emergency: no SAMU advice.
    assert not any("SAMU" in t for t in await simulators.whatsapp_texts(PHONE))
    clock.advance(timedelta(seconds=6))
    await drain(rt, ("atendimento",))
    assert (await incident_row(rt, incident_id)).delivery_state == "delivered"
    [occurrence] = await simulators.occurrences()
    assert (occurrence["category"], occurrence["severity"]) == ("outros", "critica")


async def test_when_every_attempt_failed_a_supervisor_can_start_again(
    simulators: Simulators, atendimento: httpx.AsyncClient, make_agent: MakeAgent
) -> None:
    rt = simulators.rt
    supervisor = await make_agent(Role.supervisor)
    agent = await make_agent()
    conversation_id = await conversation_of(atendimento, supervisor, agent, phone=PHONE, message_id="EMG-5")
    await simulators.faults(down=True)
    incident_id = (await agent.post(f"/api/conversations/{conversation_id}/emergency", json={})).json()["id"]
    assert (
        await supervisor.post(f"/api/incidents/{incident_id}/redeliver")
    ).status_code == 409  # still trying
    await drain(rt, ("atendimento",))
    assert (await incident_row(rt, incident_id)).delivery_attempts == 1
    # Skip to the last attempt (the ones between behave like the first).
    async with rt.db("atendimento").session() as session:
        row = await session.get(Incident, incident_id)
        assert row is not None
        row.delivery_attempts = MAX_DELIVERY_ATTEMPTS - 1
        assert await deliver(session, incident_id, MAX_DELIVERY_ATTEMPTS) == "failed"
        await session.commit()
    row = await incident_row(rt, incident_id)
    assert (row.delivery_state, row.delivery_attempts) == ("failed", MAX_DELIVERY_ATTEMPTS)
    [gave_up] = await alerts_of(rt, "emergency_delivery_failed")
    assert gave_up.severity == "critical"
    assert (await metrics(rt))["emergencies_undelivered"] == 1

    await simulators.faults(down=False)
    assert (await agent.post(f"/api/incidents/{incident_id}/redeliver")).status_code == 403
    again = await supervisor.post(f"/api/incidents/{incident_id}/redeliver")
    assert again.status_code == 202, again.text
    assert again.json()["emergency"]["delivery_state"] == "pending"
    await drain(rt, ("atendimento",))
    row = await incident_row(rt, incident_id)
    assert (row.delivery_state, row.delivery_attempts) == ("delivered", MAX_DELIVERY_ATTEMPTS + 1)
    # The retry scheduled after the first failure finds nothing left to do.
    clock.advance(timedelta(minutes=1))
    await drain(rt, ("atendimento",))
    assert len(await simulators.occurrences()) == 1
    timeline = (await supervisor.get(f"/api/incidents/{incident_id}")).json()["timeline"]
    assert [e["action"] for e in timeline] == [
        "opened",
        "emergency_delivery_failed",
        "emergency_redelivery",
        "emergency_delivered",
    ]
    plain = (await supervisor.post("/api/incidents", json={"category_code": "outro", "title": "x"})).json()
    assert (await supervisor.post(f"/api/incidents/{plain['id']}/redeliver")).status_code == 400


async def test_a_report_that_loses_the_race_returns_the_winners_emergency(
    simulators: Simulators, atendimento: httpx.AsyncClient, make_agent: MakeAgent
) -> None:
    """Two reports of one conversation in overlapping transactions: the second one's snapshot
    predates the first one's commit (MariaDB's repeatable read), so only the unique column stops it."""
    rt = simulators.rt
    supervisor = await make_agent(Role.supervisor)
    conversation_id = await conversation_of(atendimento, supervisor, None, phone=PHONE, message_id="EMG-6")
    rule = Actor.automation("escalation:keywords")
    db = rt.db("atendimento")
    async with db.session() as late:
        if late.get_bind().dialect.name != "sqlite":  # SQLite runs one writer at a time: no overlap
            await late.execute(select(func.count()).select_from(Incident))  # its snapshot starts here
        async with db.session() as early:
            conversation = await inbox_service.get(early, conversation_id)
            first = await incident_service.report_emergency(early, conversation, source="rule:1", actor=rule)
            await early.commit()
        conversation = await inbox_service.get(late, conversation_id)
        second = await incident_service.report_emergency(late, conversation, source="rule:2", actor=rule)
        await late.commit()
    assert second.id == first.id
    async with db.session() as session:
        assert (await session.execute(select(func.count()).select_from(Incident))).scalar_one() == 1
    assert len(await alerts_of(rt, "emergency")) == 1


async def test_the_customers_words_open_the_emergency_and_operacao_has_it_at_once(
    simulators: Simulators, atendimento: httpx.AsyncClient, make_agent: MakeAgent
) -> None:
    """With the seeded escalation rule: a WhatsApp message saying someone fainted is enough."""
    rt = simulators.rt
    supervisor = await make_agent(Role.supervisor)
    freeze_at(OPEN_INSTANT)
    response = await post_webhook(
        atendimento, received("EMG-7", phone=PHONE, text="Socorro, minha mãe desmaiou e não acorda")
    )
    assert response.status_code == 200, response.text
    conversation_id = response.json()["conversation_id"]
    [incident] = (await supervisor.get(f"/api/conversations/{conversation_id}/incidents")).json()
    assert (incident["is_emergency"], incident["category"]["code"]) == (True, "emergencia_saude")
    assert incident["emergency"]["source"].startswith("rule:")
    await drain(rt, ("atendimento",))  # no clock change: it goes right away
    [occurrence] = await simulators.occurrences()
    assert occurrence["category"] == "saude"
    assert (await incident_row(rt, incident["id"])).operacao_protocol == occurrence["protocol"]
    assert sum("SAMU: 192" in t for t in await simulators.whatsapp_texts(PHONE)) == 1
    conversation = (await supervisor.get(f"/api/conversations/{conversation_id}")).json()
    assert (conversation["priority"], conversation["level"]) == ("urgent", "N3")
    # Saying it again does not open another one.
    await post_webhook(atendimento, received("EMG-8", phone=PHONE, text="Socorro! Ela continua desmaiada"))
    await drain(rt, ("atendimento",))
    assert len((await supervisor.get(f"/api/conversations/{conversation_id}/incidents")).json()) == 1
    assert len(await simulators.occurrences()) == 1
    assert len(await alerts_of(rt, "emergency")) == 1
