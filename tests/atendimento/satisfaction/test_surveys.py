"""The NPS survey after a resolved conversation: sent once, reminded once, answered on WhatsApp
(without opening a new conversation) and flagged late when the answer is late."""

from __future__ import annotations

from datetime import timedelta

import httpx

from carinho.atendimento.agents.models import Role
from carinho.runtime import Runtime
from tests.atendimento.conftest import CLOSED_INSTANT, OPEN_INSTANT, MakeAgent, freeze_at
from tests.atendimento.satisfaction.flow import (
    SENT_INSTANT,
    answered_and_resolved,
    automatic,
    conversation_count,
    incoming,
    quiet_automations,
    remind_at,
    run_jobs_at,
    set_status,
    surveys,
)


async def test_one_survey_per_conversation_sent_after_the_delay(
    seeded: Runtime, atendimento: httpx.AsyncClient, make_agent: MakeAgent
) -> None:
    freeze_at(OPEN_INSTANT)
    supervisor = await make_agent(Role.supervisor)
    agent = await make_agent(name="Ana Atendente")
    await quiet_automations(supervisor)
    conversation_id = await answered_and_resolved(atendimento, supervisor, "S1", agent=agent)
    [survey] = await surveys(seeded)
    assert survey.status == "scheduled"
    await run_jobs_at(seeded, OPEN_INSTANT + timedelta(minutes=2))
    assert await automatic(supervisor, conversation_id, "nps_survey") == []  # the delay has not passed

    await run_jobs_at(seeded, SENT_INSTANT)
    [message] = await automatic(supervisor, conversation_id, "nps_survey")
    [survey] = await surveys(seeded)
    assert survey.status == "sent"
    assert "De 0 a 10, quanto você recomendaria a Carinho com Você" in message["content"]
    assert "Responda com um número. Se quiser, deixe um comentário." in message["content"]
    assert f"/nps/{survey.token}" in message["content"]
    assert len(survey.token) >= 32
    assert (survey.agent_id, survey.level) == (agent.agent_id, "N1")  # snapshot at send time
    history = (await supervisor.get(f"/api/conversations/{conversation_id}/history")).json()
    assert [e["action"] for e in history].count("survey.sent") == 1

    # Reopened by the agent and resolved (then closed) again: still the one survey.
    await set_status(agent, conversation_id, "open")
    await set_status(agent, conversation_id, "resolved")
    await set_status(agent, conversation_id, "closed")
    await run_jobs_at(seeded, SENT_INSTANT + timedelta(minutes=30))
    assert len(await surveys(seeded)) == 1
    assert len(await automatic(supervisor, conversation_id, "nps_survey")) == 1


async def test_a_reopening_before_the_send_holds_the_survey_until_the_next_resolution(
    seeded: Runtime, atendimento: httpx.AsyncClient, make_agent: MakeAgent
) -> None:
    freeze_at(OPEN_INSTANT)
    supervisor = await make_agent(Role.supervisor)
    await quiet_automations(supervisor)
    conversation_id = await answered_and_resolved(atendimento, supervisor, "R1")
    await set_status(supervisor, conversation_id, "open")
    await run_jobs_at(seeded, SENT_INSTANT)
    assert await automatic(supervisor, conversation_id, "nps_survey") == []
    [survey] = await surveys(seeded)
    assert survey.status == "scheduled"

    await set_status(supervisor, conversation_id, "resolved")
    await run_jobs_at(seeded, SENT_INSTANT + timedelta(minutes=6))
    assert len(await automatic(supervisor, conversation_id, "nps_survey")) == 1
    assert len(await surveys(seeded)) == 1


async def test_no_survey_when_no_person_answered_or_when_switched_off(
    seeded: Runtime, atendimento: httpx.AsyncClient, make_agent: MakeAgent
) -> None:
    freeze_at(OPEN_INSTANT)
    supervisor = await make_agent(Role.supervisor)
    await quiet_automations(supervisor)
    await answered_and_resolved(atendimento, supervisor, "N1", reply=False)
    assert await surveys(seeded) == []

    response = await supervisor.put("/api/satisfaction/settings", json={"enabled": False})
    assert response.status_code == 200 and response.json()["enabled"] is False
    await answered_and_resolved(atendimento, supervisor, "N2", phone="5511955550002")
    assert await surveys(seeded) == []


async def test_the_reminder_goes_exactly_once(
    seeded: Runtime, atendimento: httpx.AsyncClient, make_agent: MakeAgent
) -> None:
    freeze_at(OPEN_INSTANT)
    supervisor = await make_agent(Role.supervisor)
    await quiet_automations(supervisor)
    conversation_id = await answered_and_resolved(atendimento, supervisor, "M1")
    await run_jobs_at(seeded, SENT_INSTANT)

    await remind_at(seeded, SENT_INSTANT + timedelta(hours=23))
    assert await automatic(supervisor, conversation_id, "nps_reminder") == []
    await remind_at(seeded, SENT_INSTANT + timedelta(hours=25))
    [reminder] = await automatic(supervisor, conversation_id, "nps_reminder")
    assert "Sua opinião é muito importante" in reminder["content"]
    await remind_at(seeded, SENT_INSTANT + timedelta(hours=26))
    await remind_at(seeded, SENT_INSTANT + timedelta(hours=49))
    assert len(await automatic(supervisor, conversation_id, "nps_reminder")) == 1
    history = (await supervisor.get(f"/api/conversations/{conversation_id}/history")).json()
    assert [e["action"] for e in history].count("survey.reminded") == 1


async def test_a_whatsapp_reply_answers_the_survey_in_its_own_conversation(
    seeded: Runtime, atendimento: httpx.AsyncClient, make_agent: MakeAgent
) -> None:
    freeze_at(OPEN_INSTANT)
    supervisor = await make_agent(Role.supervisor)
    await quiet_automations(supervisor)
    conversation_id = await answered_and_resolved(atendimento, supervisor, "W1")
    await run_jobs_at(seeded, SENT_INSTANT)

    freeze_at(SENT_INSTANT + timedelta(minutes=10))
    result = await incoming(atendimento, "W2", "9 - muito bom")
    assert result["conversation_id"] == conversation_id
    assert result["new_conversation"] is False
    assert await conversation_count(seeded) == 1
    [survey] = await surveys(seeded)
    assert (survey.status, survey.score, survey.comment) == ("answered", 9, "muito bom")
    assert (survey.answer_channel, survey.late) == ("whatsapp", False)
    [thanks] = await automatic(supervisor, conversation_id, "nps_thanks")
    assert thanks["content"].startswith("Muito obrigado pela sua nota e pelo comentário")
    thread = [
        m["content"] for m in (await supervisor.get(f"/api/conversations/{conversation_id}/messages")).json()
    ]
    assert thread.index("9 - muito bom") < thread.index(thanks["content"])  # the answer, then the thanks
    conversation = (await supervisor.get(f"/api/conversations/{conversation_id}")).json()
    assert conversation["status"] == "resolved"  # an answer does not reopen it
    [shown] = (await supervisor.get(f"/api/satisfaction/conversations/{conversation_id}/surveys")).json()
    assert (shown["score"], shown["comment"], shown["status"]) == (9, "muito bom", "answered")
    history = (await supervisor.get(f"/api/conversations/{conversation_id}/history")).json()
    answered = [e for e in history if e["action"] == "survey.answered"]
    assert len(answered) == 1 and answered[0]["after"]["score"] == 9

    # Answered already: the next message is a new conversation, as usual.
    result = await incoming(atendimento, "W3", "Oi, preciso de outra cuidadora amanhã")
    assert result["new_conversation"] is True
    assert await conversation_count(seeded) == 2


async def test_a_score_alone_then_a_comment_within_the_window(
    seeded: Runtime, atendimento: httpx.AsyncClient, make_agent: MakeAgent
) -> None:
    freeze_at(OPEN_INSTANT)
    supervisor = await make_agent(Role.supervisor)
    await quiet_automations(supervisor)
    conversation_id = await answered_and_resolved(atendimento, supervisor, "C1")
    await run_jobs_at(seeded, SENT_INSTANT)
    freeze_at(SENT_INSTANT + timedelta(minutes=1))
    assert (await incoming(atendimento, "C2", "1️⃣0️⃣"))["conversation_id"] == conversation_id
    freeze_at(SENT_INSTANT + timedelta(minutes=5))
    comment = await incoming(atendimento, "C3", "A Ana foi muito atenciosa com a minha mãe")
    assert comment["conversation_id"] == conversation_id
    [survey] = await surveys(seeded)
    assert (survey.score, survey.comment) == (10, "A Ana foi muito atenciosa com a minha mãe")
    assert len(await automatic(supervisor, conversation_id, "nps_thanks")) == 2
    assert (await incoming(atendimento, "C4", "Obrigada!"))["new_conversation"] is True


async def test_a_message_that_is_not_a_score_flows_as_a_new_conversation(
    seeded: Runtime, atendimento: httpx.AsyncClient, make_agent: MakeAgent
) -> None:
    freeze_at(OPEN_INSTANT)
    supervisor = await make_agent(Role.supervisor)
    await quiet_automations(supervisor)
    conversation_id = await answered_and_resolved(atendimento, supervisor, "T1")
    await run_jobs_at(seeded, SENT_INSTANT)
    freeze_at(SENT_INSTANT + timedelta(minutes=3))
    other = await incoming(atendimento, "T2", "Oi, quero saber o preço de 2 cuidadoras")
    assert other["new_conversation"] is True
    # The customer is now talking to us about something else: a "10" there is not the survey's.
    other_reply = await incoming(atendimento, "T3", "10")
    assert other_reply["conversation_id"] == other["conversation_id"]
    [survey] = await surveys(seeded)
    assert survey.status == "sent"
    assert await automatic(supervisor, conversation_id, "nps_thanks") == []


async def test_a_late_answer_is_accepted_and_flagged(
    seeded: Runtime, atendimento: httpx.AsyncClient, make_agent: MakeAgent
) -> None:
    freeze_at(OPEN_INSTANT)
    supervisor = await make_agent(Role.supervisor)
    await quiet_automations(supervisor)
    conversation_id = await answered_and_resolved(atendimento, supervisor, "L1")
    await run_jobs_at(seeded, SENT_INSTANT)
    freeze_at(SENT_INSTANT + timedelta(days=8))
    assert (await incoming(atendimento, "L2", "nota 8"))["conversation_id"] == conversation_id
    [survey] = await surveys(seeded)
    assert (survey.score, survey.late) == (8, True)


async def test_a_reply_long_after_the_survey_is_a_new_conversation(
    seeded: Runtime, atendimento: httpx.AsyncClient, make_agent: MakeAgent
) -> None:
    freeze_at(OPEN_INSTANT)
    supervisor = await make_agent(Role.supervisor)
    await quiet_automations(supervisor)
    await answered_and_resolved(atendimento, supervisor, "O1")
    await run_jobs_at(seeded, SENT_INSTANT)
    freeze_at(SENT_INSTANT + timedelta(days=31))
    assert (await incoming(atendimento, "O2", "10"))["new_conversation"] is True
    [survey] = await surveys(seeded)
    assert survey.status == "sent"


async def test_a_survey_due_at_night_waits_for_the_opening(
    seeded: Runtime, atendimento: httpx.AsyncClient, make_agent: MakeAgent
) -> None:
    freeze_at(CLOSED_INSTANT)  # Tuesday 22:00 in São Paulo; opens Wednesday 08:00 (11:00 UTC)
    supervisor = await make_agent(Role.supervisor)
    await quiet_automations(supervisor)
    conversation_id = await answered_and_resolved(atendimento, supervisor, "Z1")
    await run_jobs_at(seeded, CLOSED_INSTANT + timedelta(minutes=6))
    assert await automatic(supervisor, conversation_id, "nps_survey") == []
    await run_jobs_at(seeded, CLOSED_INSTANT + timedelta(hours=9, minutes=59))
    assert await automatic(supervisor, conversation_id, "nps_survey") == []
    await run_jobs_at(seeded, CLOSED_INSTANT + timedelta(hours=10, minutes=1))
    assert len(await automatic(supervisor, conversation_id, "nps_survey")) == 1
