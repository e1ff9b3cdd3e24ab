"""The contact center end to end, as a user drives it: customers write through the signed Z-API
webhook, agents and supervisors use the atendimento API, the periodic jobs run when the scheduler
would enqueue them, and operação, Z-API and e-mail are the sandbox on a real socket.

SLA breach → escalation to N2 → supervisor alerted; an emergency at operação at once; the NPS
survey answered on WhatsApp; and the live metrics (JSON and server-sent events) reporting it all."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import httpx

from carinho.atendimento.agents.models import Role, SupportLevel
from carinho.atendimento.sla.tasks import MONITOR_JOB
from carinho.kit import clock
from carinho.runtime import Runtime
from carinho.worker.scheduler import Scheduler, periodic_jobs
from tests.atendimento.conftest import (
    OPEN_INSTANT,
    Api,
    MakeAgent,
    Simulators,
    freeze_at,
    post_webhook,
    received,
)
from tests.atendimento.metrics.streaming import read_events, streaming_client
from tests.support.jobs import drain

LATE_PHONE = "5511955510001"  # nobody answers: breaches
SECOND_PHONE = "5511955510002"  # arrives later: at risk when the first breaches
EMERGENCY_PHONE = "5511955510003"
NPS_PHONE = "5511955510004"


@dataclass
class Team:
    supervisor: Api
    n1: Api
    n2: Api


async def team(make_agent: MakeAgent) -> Team:
    # The supervisor is N3 so that round-robin at N1 and N2 picks the attendants.
    return Team(
        supervisor=await make_agent(Role.supervisor, SupportLevel.n3, name="Sandra"),
        n1=await make_agent(Role.agent, SupportLevel.n1, name="Ana"),
        n2=await make_agent(Role.agent, SupportLevel.n2, name="Bruno"),
    )


async def customer_writes(client: httpx.AsyncClient, message_id: str, phone: str, text: str) -> int:
    response = await post_webhook(client, received(message_id, phone=phone, text=text))
    assert response.status_code == 200, response.text
    return int(response.json()["conversation_id"])


async def tick(rt: Runtime, periodic_name: str = MONITOR_JOB) -> None:
    """What the scheduler does each minute: enqueue the periodic job; then the worker runs it."""
    await Scheduler(rt).enqueue_periodic(periodic_jobs()[periodic_name])
    await drain(rt)


async def ok_json(response: httpx.Response, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json()


def first_response(sla: dict[str, Any]) -> dict[str, Any]:
    [found] = [t for t in sla["targets"] if t["target"] == "first_response" and t["cycle"] == 1]
    return dict(found)


def at(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


async def breach_and_escalate(
    simulators: Simulators, atendimento: httpx.AsyncClient, people: Team
) -> tuple[int, int]:
    """Scenario a: an unanswered conversation at risk, breached, escalated to N2. A second one,
    arrived 12 minutes later, is at risk when the first breaches. Returns both ids."""
    rt, supervisor = simulators.rt, people.supervisor
    freeze_at(OPEN_INSTANT)
    late = await customer_writes(atendimento, "CC-A1", LATE_PHONE, "Olá, preciso de uma cuidadora à noite")
    await drain(rt)
    conversation = await ok_json(await supervisor.get(f"/api/conversations/{late}"))
    assert (conversation["level"], conversation["assignee"]["id"]) == ("N1", people.n1.agent_id)
    sla = await ok_json(await supervisor.get(f"/api/sla/conversations/{late}"))
    target = first_response(sla)
    assert (sla["status"], target["target_minutes"]) == ("ok", 60)
    due = at(target["due_at"])
    assert abs((due - (OPEN_INSTANT + timedelta(minutes=60))).total_seconds()) < 30

    freeze_at(OPEN_INSTANT + timedelta(minutes=12))
    second = await customer_writes(atendimento, "CC-A2", SECOND_PHONE, "Bom dia, qual o valor da diária?")

    freeze_at(due - timedelta(minutes=11))  # past 80 % of the target
    await tick(rt)
    sla = await ok_json(await supervisor.get(f"/api/sla/conversations/{late}"))
    assert (sla["status"], first_response(sla)["status"], sla["breaches"]) == ("at_risk", "at_risk", [])
    assert (await ok_json(await supervisor.get(f"/api/conversations/{late}")))["level"] == "N1"

    freeze_at(due + timedelta(minutes=1))
    await tick(rt)
    await tick(rt)  # the next minute changes nothing more
    sla = await ok_json(await supervisor.get(f"/api/sla/conversations/{late}"))
    assert sla["status"] == "breached"
    [breach] = sla["breaches"]
    assert (breach["target"], breach["assignee_id"], breach["level"]) == (
        "first_response",
        people.n1.agent_id,
        "N1",
    )
    [escalation] = await ok_json(await supervisor.get(f"/api/conversations/{late}/escalations"))
    assert (escalation["direction"], escalation["from_level"], escalation["to_level"]) == ("up", "N1", "N2")
    assert escalation["reason"].startswith('Regra "SLA violado"')
    assert (escalation["assignee_before_id"], escalation["assignee_after_id"]) == (
        people.n1.agent_id,
        people.n2.agent_id,
    )
    conversation = await ok_json(await supervisor.get(f"/api/conversations/{late}"))
    assert (conversation["level"], conversation["assignee"]["id"]) == ("N2", people.n2.agent_id)
    # Bruno (N2) now sees it in his own inbox.
    mine = await ok_json(
        await people.n2.get("/api/conversations", params={"assignee_id": people.n2.agent_id})
    )
    assert [c["id"] for c in mine] == [late]
    second_sla = await ok_json(await supervisor.get(f"/api/sla/conversations/{second}"))
    assert second_sla["status"] == "at_risk"
    return late, second


async def test_an_unanswered_conversation_breaches_escalates_to_n2_and_alerts_a_supervisor(
    simulators: Simulators, atendimento: httpx.AsyncClient, make_agent: MakeAgent
) -> None:
    people = await team(make_agent)
    late, second = await breach_and_escalate(simulators, atendimento, people)
    supervisor = people.supervisor

    alerts = await ok_json(await supervisor.get("/api/alerts"))
    sla_alerts = [(a["kind"], a["conversation_id"]) for a in alerts if a["kind"].startswith("sla_")]
    assert sorted(sla_alerts) == sorted(
        [("sla_at_risk", late), ("sla_breached", late), ("sla_at_risk", second)]
    )
    [breached] = [a for a in alerts if a["kind"] == "sla_breached"]
    assert breached["title"] == f"SLA de primeira resposta violado na conversa {late}"

    # The supervisor got the e-mail (once), from the sandbox's SMTP sink; every subject is Portuguese.
    subject = f"Alerta: SLA violado na conversa {late}"
    [mail] = [m for m in simulators.mails() if m.subject == subject]
    assert mail.rcpt_tos == ["supervisor1@carinho.test"]
    assert mail.text and "Olá, Sandra!" in mail.text and "Primeira resposta" in mail.text
    assert all("_" not in (m.subject or "") for m in simulators.mails()), [
        m.subject for m in simulators.mails()
    ]

    # The supervisor acknowledges the breach; it leaves the open alerts.
    acknowledged = await ok_json(await supervisor.post(f"/api/alerts/{breached['id']}/acknowledge"))
    assert acknowledged["acknowledged_by_id"] == supervisor.agent_id
    assert breached["id"] not in [a["id"] for a in await ok_json(await supervisor.get("/api/alerts"))]


async def report_emergency(simulators: Simulators, atendimento: httpx.AsyncClient, people: Team) -> int:
    """Scenario b up to delivery: the customer's words open an emergency; operação fails the first
    attempt and still gets exactly one occurrence. Returns the incident id."""
    clock.freeze()  # the retry is 5 s away: only the test's own move may bring it (reset at teardown)
    rt, supervisor = simulators.rt, people.supervisor
    await simulators.faults(fail_next=1, fail_status=503)
    conversation_id = await customer_writes(
        atendimento, "CC-B1", EMERGENCY_PHONE, "minha mãe caiu e não está respondendo"
    )
    conversation = await ok_json(await supervisor.get(f"/api/conversations/{conversation_id}"))
    assert (conversation["priority"], conversation["level"]) == ("urgent", "N3")
    [incident] = await ok_json(await supervisor.get(f"/api/conversations/{conversation_id}/incidents"))
    assert (incident["is_emergency"], incident["severity"], incident["status"]) == (True, "critical", "open")

    await drain(rt)  # at once: no clock change; operação answers 503
    shown = await ok_json(await supervisor.get(f"/api/incidents/{incident['id']}"))
    assert shown["emergency"]["delivery_state"] == "pending"
    assert await simulators.occurrences() == []
    clock.advance(timedelta(seconds=6))  # the first retry's backoff
    await drain(rt)
    [occurrence] = await simulators.occurrences()
    assert await simulators.operacao_calls() == 2
    assert (occurrence["conversation_id"], occurrence["client_phone"], occurrence["severity"]) == (
        conversation_id,
        EMERGENCY_PHONE,
        "critica",
    )
    shown = await ok_json(await supervisor.get(f"/api/incidents/{incident['id']}"))
    assert shown["emergency"]["delivery_state"] == "delivered"
    assert shown["emergency"]["operacao_protocol"] == occurrence["protocol"]
    await drain(rt)
    assert len(await simulators.occurrences()) == 1
    return int(incident["id"])


async def test_an_emergency_reaches_operacao_at_once_and_shows_until_acknowledged(
    simulators: Simulators, atendimento: httpx.AsyncClient, make_agent: MakeAgent
) -> None:
    people = await team(make_agent)
    supervisor = people.supervisor
    freeze_at(OPEN_INSTANT)
    incident_id = await report_emergency(simulators, atendimento, people)
    incident = await ok_json(await supervisor.get(f"/api/incidents/{incident_id}"))
    conversation_id = incident["conversation_id"]

    [alert] = [a for a in await ok_json(await supervisor.get("/api/alerts")) if a["kind"] == "emergency"]
    assert (alert["severity"], alert["conversation_id"]) == ("critical", conversation_id)
    assert any(m.subject == f"Alerta: Emergência na conversa {conversation_id}" for m in simulators.mails())
    assert sum("SAMU: 192" in t for t in await simulators.whatsapp_texts(EMERGENCY_PHONE)) == 1

    banner_url = f"/api/conversations/{conversation_id}/emergency-banner"
    banner = await ok_json(await supervisor.get(banner_url))
    assert banner["active"] is True
    assert [b["incident_id"] for b in banner["emergencies"]] == [incident_id]
    await ok_json(await supervisor.post(f"/api/incidents/{incident_id}/acknowledge"))
    assert await ok_json(await supervisor.get(banner_url)) == {"active": False, "emergencies": []}


async def survey_answered(
    simulators: Simulators, atendimento: httpx.AsyncClient, people: Team, answer: str = "9 - muito bom"
) -> int:
    """Scenario c: a conversation answered and resolved gets the NPS survey on WhatsApp, and the
    customer's reply answers it. Returns the conversation id."""
    rt, agent = simulators.rt, people.n1
    conversation_id = await customer_writes(
        atendimento, "CC-C1", NPS_PHONE, "Oi, a cuidadora pode chegar mais cedo amanhã?"
    )
    assigned = await ok_json(await people.supervisor.get(f"/api/conversations/{conversation_id}"))
    assert assigned["assignee"]["id"] == agent.agent_id
    await ok_json(
        await agent.post(
            f"/api/conversations/{conversation_id}/messages", json={"text": "Pode sim! Ela chega às 7h."}
        ),
        202,
    )
    await ok_json(await agent.patch(f"/api/conversations/{conversation_id}", json={"status": "resolved"}))
    await drain(rt)
    assert not any("De 0 a 10" in t for t in await simulators.whatsapp_texts(NPS_PHONE))

    clock.advance(timedelta(minutes=6))  # past the survey's delay, still in business hours
    await drain(rt)
    [survey_text] = [t for t in await simulators.whatsapp_texts(NPS_PHONE) if "De 0 a 10" in t]
    assert "quanto você recomendaria a Carinho com Você" in survey_text
    [survey] = await ok_json(
        await people.supervisor.get(f"/api/satisfaction/conversations/{conversation_id}/surveys")
    )
    assert survey["status"] == "sent"

    clock.advance(timedelta(minutes=3))
    reply = await post_webhook(atendimento, received("CC-C2", phone=NPS_PHONE, text=answer))
    assert reply.status_code == 200, reply.text
    await drain(rt)
    return conversation_id


async def test_a_resolved_conversation_gets_its_nps_survey_and_the_answer_counts(
    simulators: Simulators, atendimento: httpx.AsyncClient, make_agent: MakeAgent
) -> None:
    people = await team(make_agent)
    supervisor = people.supervisor
    freeze_at(OPEN_INSTANT)
    conversation_id = await survey_answered(simulators, atendimento, people)

    [survey] = await ok_json(
        await supervisor.get(f"/api/satisfaction/conversations/{conversation_id}/surveys")
    )
    assert (survey["status"], survey["score"], survey["comment"], survey["late"]) == (
        "answered",
        9,
        "muito bom",
        False,
    )
    assert survey["answer_channel"] == "whatsapp"
    # The answer did not open a new conversation, and the customer was thanked.
    conversations = await ok_json(await supervisor.get("/api/conversations", params={"status": ["open"]}))
    assert [c for c in conversations if c["contact"]["phone"] == NPS_PHONE] == []
    texts = await simulators.whatsapp_texts(NPS_PHONE)
    assert len([t for t in texts if "De 0 a 10" in t]) == 1

    report = await ok_json(await supervisor.get("/api/satisfaction/nps"))
    overall = report["overall"]
    assert (overall["sent"], overall["responses"], overall["promoters"], overall["detractors"]) == (
        1,
        1,
        1,
        0,
    )
    assert overall["nps"] == 100
    by_agent = await ok_json(await supervisor.get("/api/satisfaction/nps", params={"group_by": "agent"}))
    [group] = by_agent["groups"]
    assert (group["key"], group["nps"]) == (str(people.n1.agent_id), 100)


async def test_the_live_metrics_and_their_stream_report_it_all(
    simulators: Simulators, atendimento: httpx.AsyncClient, make_agent: MakeAgent
) -> None:
    people = await team(make_agent)
    supervisor = people.supervisor
    freeze_at(OPEN_INSTANT - timedelta(minutes=30))  # 09:30: the survey goes before the others arrive
    await survey_answered(simulators, atendimento, people)
    await breach_and_escalate(simulators, atendimento, people)
    await report_emergency(simulators, atendimento, people)

    live = await ok_json(await supervisor.get("/api/metrics/live"))
    assert (live["sla"]["breached"], live["sla"]["at_risk"]) == (1, 1)
    assert live["sla"]["breached_by_level"] == {"N1": 0, "N2": 1, "N3": 0}
    assert live["sla"]["at_risk_by_level"] == {"N1": 1, "N2": 0, "N3": 0}
    assert live["incidents"]["incidents_open_by_severity"]["critical"] == 1
    assert live["incidents"]["incidents_open"] == 1
    assert live["incidents"]["emergencies_undelivered"] == 0
    assert (live["satisfaction"]["nps_30d"], live["satisfaction"]["responses_30d"]) == (100, 1)
    # Five messages from customers: the survey's conversation (2), the late one, the second one and
    # the emergency; what we sent includes the agent's answer, the survey and the SAMU advice.
    messages = live["messages"]
    assert messages["inbound_24h"] == 5
    assert sum(h["inbound"] for h in messages["hours"]) == 5
    assert messages["outbound_24h"] >= 3
    assert sum(h["outbound"] for h in messages["hours"]) == messages["outbound_24h"]
    by_level = {row["level"]: row["open"] for row in live["conversations"]["by_level"]}
    assert by_level == {"N1": 1, "N2": 1, "N3": 1}

    async with (
        streaming_client(simulators.rt) as (client, _),
        client.stream("GET", "/api/metrics/stream", headers=supervisor.headers) as response,
    ):
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        (event,), _ = await read_events(response.aiter_lines(), 1)
    assert event["event"] == "metrics"
    streamed = json.loads(event["data"])
    for part in ("sla", "incidents", "satisfaction", "conversations"):
        assert streamed[part] == live[part], part
    assert streamed["messages"]["inbound_24h"] == 5
    assert streamed["messages"]["outbound_24h"] == messages["outbound_24h"]
