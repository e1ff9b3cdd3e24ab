"""The survey link: a public pt-BR page that records the answer (and lets it be changed for a while);
a detractor's answer creates a supervisor's follow-up with an alert."""

from __future__ import annotations

from datetime import timedelta

import httpx

from carinho.atendimento.agents.models import Role
from carinho.runtime import Runtime
from tests.atendimento.conftest import OPEN_INSTANT, MakeAgent, freeze_at
from tests.atendimento.satisfaction.flow import (
    SENT_INSTANT,
    answered_and_resolved,
    followups,
    incoming,
    quiet_automations,
    run_jobs_at,
    surveys,
)


async def test_the_link_page_records_and_updates_the_answer(
    seeded: Runtime, atendimento: httpx.AsyncClient, make_agent: MakeAgent
) -> None:
    freeze_at(OPEN_INSTANT)
    supervisor = await make_agent(Role.supervisor)
    await quiet_automations(supervisor)
    await answered_and_resolved(atendimento, supervisor, "P1")
    await run_jobs_at(seeded, SENT_INSTANT)
    [survey] = await surveys(seeded)
    url = f"/nps/{survey.token}"

    page = await atendimento.get(url)
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert "De 0 a 10, quanto você recomendaria" in page.text
    assert 'name="csat"' in page.text
    assert "<script" not in page.text and "http" not in page.text.split("<body>")[1]  # no external assets

    bad = await atendimento.post(url, data={"score": "11"})
    assert bad.status_code == 422 and "Escolha uma nota de 0 a 10" in bad.text
    freeze_at(SENT_INSTANT + timedelta(hours=2))
    done = await atendimento.post(url, data={"score": "9", "csat": "5", "comment": "Ótimo atendimento\x00"})
    assert done.status_code == 200 and "Obrigado pela sua avaliação" in done.text
    [survey] = await surveys(seeded)
    assert (survey.score, survey.csat, survey.comment) == (9, 5, "Ótimo atendimento")
    assert (survey.answer_channel, survey.late, survey.status) == ("link", False, "answered")

    again = await atendimento.get(url)
    assert "Você já respondeu com a nota <strong>9</strong>" in again.text
    changed = await atendimento.post(url, data={"score": "7", "comment": ""})
    assert changed.status_code == 200
    [survey] = await surveys(seeded)
    assert (survey.score, survey.csat, survey.comment) == (7, None, None)
    history = (await supervisor.get(f"/api/conversations/{survey.conversation_id}/history")).json()
    answers = [e for e in history if e["action"] == "survey.answered"]
    assert [a["details"]["updated"] for a in answers] == [False, True]
    assert answers[1]["before"] == {"score": 9, "csat": 5}
    # A WhatsApp "10" after a link answer is not claimed: the survey is answered.
    assert (await incoming(atendimento, "P2", "10"))["new_conversation"] is True

    freeze_at(SENT_INSTANT + timedelta(days=8))  # past the 7-day update window
    closed = await atendimento.get(url)
    assert closed.status_code == 200 and "Avaliação registrada" in closed.text and "7" in closed.text
    refused = await atendimento.post(url, data={"score": "10"})
    assert refused.status_code == 409
    assert (await surveys(seeded))[0].score == 7


async def test_an_unknown_token_is_a_clear_page_not_an_error(
    seeded: Runtime, atendimento: httpx.AsyncClient
) -> None:
    for token in ("nao-existe", "x" * 300, "%00", "' OR 1=1 --"):
        response = await atendimento.get(f"/nps/{token}")
        assert response.status_code == 404, token
        assert "Link inválido" in response.text
        posted = await atendimento.post(f"/nps/{token}", data={"score": "10"})
        assert posted.status_code == 404 and "Link inválido" in posted.text


async def test_a_late_link_answer_is_flagged(
    seeded: Runtime, atendimento: httpx.AsyncClient, make_agent: MakeAgent
) -> None:
    freeze_at(OPEN_INSTANT)
    supervisor = await make_agent(Role.supervisor)
    await quiet_automations(supervisor)
    await answered_and_resolved(atendimento, supervisor, "LL1")
    await run_jobs_at(seeded, SENT_INSTANT)
    [survey] = await surveys(seeded)
    freeze_at(SENT_INSTANT + timedelta(days=40))
    response = await atendimento.post(f"/nps/{survey.token}", data={"score": "10"})
    assert response.status_code == 200
    [survey] = await surveys(seeded)
    assert (survey.score, survey.late) == (10, True)


async def test_a_detractor_gets_a_supervisors_follow_up_and_an_alert(
    seeded: Runtime, atendimento: httpx.AsyncClient, make_agent: MakeAgent
) -> None:
    freeze_at(OPEN_INSTANT)
    busy = await make_agent(Role.supervisor, name="Supervisora Ocupada")
    free = await make_agent(Role.supervisor, name="Supervisor Livre")
    agent = await make_agent()
    await quiet_automations(busy)
    first = await answered_and_resolved(atendimento, busy, "D1", phone="5511955551001")
    second = await answered_and_resolved(atendimento, busy, "D2", phone="5511955551002")
    promoter = await answered_and_resolved(atendimento, busy, "D3", phone="5511955551003")
    await run_jobs_at(seeded, SENT_INSTANT)
    await incoming(atendimento, "D1a", "3 - a cuidadora faltou", phone="5511955551001")
    await incoming(atendimento, "D2a", "nota 6", phone="5511955551002")
    await incoming(atendimento, "D3a", "10", phone="5511955551003")

    tasks = await followups(seeded)
    assert [t.conversation_id for t in tasks] == [first, second]
    # Spread over the supervisors (fewest open follow-ups first), due in business hours.
    assert {t.assignee_id for t in tasks} == {busy.agent_id, free.agent_id}
    assert all(t.status == "open" and t.due_at > SENT_INSTANT for t in tasks)
    alerts = (await busy.get("/api/alerts")).json()
    detractor_alerts = [a for a in alerts if a["kind"] == "nps_detractor"]
    assert sorted(a["conversation_id"] for a in detractor_alerts) == [first, second]
    assert promoter not in {a["conversation_id"] for a in detractor_alerts}
    history = (await busy.get(f"/api/conversations/{first}/history")).json()
    assert [e["action"] for e in history].count("followup.created") == 1

    listed = (await busy.get("/api/satisfaction/followups")).json()
    assert [(f["conversation_id"], f["score"]) for f in listed] == [(first, 3), (second, 6)]
    assert listed[0]["comment"] == "a cuidadora faltou"
    assert (await agent.get("/api/satisfaction/followups")).status_code == 403

    done = await free.post(f"/api/satisfaction/followups/{listed[0]['id']}/done", json={"note": "Liguei."})
    assert done.status_code == 200, done.text
    assert (done.json()["status"], done.json()["note"], done.json()["done_by_id"]) == (
        "done",
        "Liguei.",
        free.agent_id,
    )
    again = await free.post(f"/api/satisfaction/followups/{listed[0]['id']}/done", json={})
    assert again.status_code == 409
    missing = await free.post("/api/satisfaction/followups/999999/done")
    assert missing.status_code == 404
    assert len((await busy.get("/api/satisfaction/followups")).json()) == 1
    assert len((await busy.get("/api/satisfaction/followups", params={"status": "done"})).json()) == 1
