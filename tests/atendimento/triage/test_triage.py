"""Triage: the seeded lead checklist, validation per question type, versioning, the outcome moving
the funnel, and the CRM lead snapshot carrying the answers."""

from __future__ import annotations

import httpx

from carinho.atendimento.agents.models import Role
from carinho.atendimento.crm.service import crm_sync_service
from carinho.runtime import Runtime
from tests.atendimento.conftest import OPEN_INSTANT, Api, MakeAgent, freeze_at, post_webhook, received

COMPLETE = {
    "quem_precisa": "Pai ou mãe",
    "idade": 82,
    "condicao": ["Alzheimer ou demência", "Mobilidade reduzida"],
    "cidade_bairro": "São Paulo - Vila Mariana",
    "atende_area": True,
    "turno": "Diurno (12h)",
    "data_inicio": "2026-12-15",
}


async def conversation(
    client: httpx.AsyncClient, message_id: str = "TR1", phone: str = "5511922221111"
) -> int:
    response = await post_webhook(client, received(message_id, phone=phone))
    return int(response.json()["conversation_id"])


async def answer(api: Api, conversation_id: int, answers: dict) -> httpx.Response:
    return await api.post(f"/api/conversations/{conversation_id}/triage", json={"answers": answers})


async def test_the_seeded_checklist_qualifies_a_lead_and_moves_the_funnel(
    seeded: Runtime, atendimento: httpx.AsyncClient, make_agent: MakeAgent
) -> None:
    freeze_at(OPEN_INSTANT)
    supervisor = await make_agent(Role.supervisor)
    conversation_id = await conversation(atendimento)
    state = (await supervisor.get(f"/api/conversations/{conversation_id}/triage")).json()
    assert state["status"] == "not_started"
    assert state["checklist"]["version"] == 1
    codes = [q["code"] for q in state["checklist"]["questions"]]
    assert codes[:3] == ["quem_precisa", "idade", "condicao"]
    assert {q["qtype"] for q in state["checklist"]["questions"]} == {
        "single_choice",
        "number",
        "multiple_choice",
        "text",
        "yes_no",
        "date",
    }

    partial = await answer(supervisor, conversation_id, {"idade": 82, "quem_precisa": "Pai ou mãe"})
    assert partial.json()["status"] == "in_progress"
    assert "cidade_bairro" in partial.json()["missing_required"]
    done = await answer(
        supervisor, conversation_id, {k: v for k, v in COMPLETE.items() if k not in ("idade",)}
    )
    assert done.status_code == 200, done.text
    body = done.json()
    assert body["status"] == "completed"
    assert body["outcome"] == "qualified"
    assert body["answers"]["condicao"] == ["Mobilidade reduzida", "Alzheimer ou demência"]  # checklist order
    detail = (await supervisor.get(f"/api/conversations/{conversation_id}")).json()
    assert detail["funnel_stage"] == "qualified"
    assert (await answer(supervisor, conversation_id, {"idade": 90})).status_code == 409

    history = (await supervisor.get(f"/api/conversations/{conversation_id}/history")).json()
    actions = [e["action"] for e in history]
    assert actions.count("triage.answered") == 2 + len(COMPLETE) - 1  # quem_precisa answered twice
    assert "triage.completed" in actions
    assert "funnel.moved" in actions

    async with seeded.db("atendimento").session() as session:
        lead = await crm_sync_service.snapshot(session, detail["contact"]["id"])
    assert lead is not None
    assert lead["funnel_stage"] == "qualified"
    assert lead["triage"]["outcome"] == "qualified"
    assert lead["triage"]["answers"]["idade"] == 82


async def test_answers_are_checked_against_their_question_type(
    seeded: Runtime, atendimento: httpx.AsyncClient, make_agent: MakeAgent
) -> None:
    freeze_at(OPEN_INSTANT)
    agent = await make_agent()
    conversation_id = await conversation(atendimento)
    invalid = [
        {"idade": "oitenta"},
        {"idade": True},
        {"atende_area": "sim"},
        {"data_inicio": "15/12/2026"},
        {"turno": "Madrugada"},
        {"condicao": ["Gripe"]},
        {"condicao": "Acamado"},
        {"cidade_bairro": ""},
        {"pergunta_que_nao_existe": 1},
    ]
    for payload in invalid:
        response = await answer(agent, conversation_id, payload)
        assert response.status_code == 400, (payload, response.text)
    assert (await answer(agent, conversation_id, {"orcamento": None})).json()["answers"] == {
        "orcamento": None
    }


async def test_outside_the_area_is_not_qualified_and_keeps_the_stage(
    seeded: Runtime, atendimento: httpx.AsyncClient, make_agent: MakeAgent
) -> None:
    freeze_at(OPEN_INSTANT)
    supervisor = await make_agent(Role.supervisor)
    conversation_id = await conversation(atendimento)
    body = (await answer(supervisor, conversation_id, {**COMPLETE, "atende_area": False})).json()
    assert body["outcome"] == "not_qualified"
    assert (await supervisor.get(f"/api/conversations/{conversation_id}")).json()["funnel_stage"] == "new"


async def test_a_new_version_applies_to_new_triages_and_old_ones_keep_theirs(
    seeded: Runtime, atendimento: httpx.AsyncClient, make_agent: MakeAgent
) -> None:
    freeze_at(OPEN_INSTANT)
    supervisor = await make_agent(Role.supervisor)
    started = await conversation(atendimento)
    await answer(supervisor, started, {"idade": 75})
    created = await supervisor.post(
        "/api/triage/checklists/qualificacao_lead/versions",
        json={
            "title": "Qualificação enxuta",
            "questions": [
                {"code": "idade", "text": "Idade", "qtype": "number"},
                {"code": "plano", "text": "Plano", "qtype": "single_choice", "options": ["Mensal", "Diária"]},
            ],
        },
    )
    assert created.status_code == 201, created.text
    assert created.json()["version"] == 2
    versions = (await supervisor.get("/api/triage/checklists?key=qualificacao_lead")).json()
    assert [(v["version"], v["current"]) for v in versions] == [(1, False), (2, True)]

    old = (await supervisor.get(f"/api/conversations/{started}/triage")).json()
    assert old["checklist"]["version"] == 1
    assert (await answer(supervisor, started, {"plano": "Mensal"})).status_code == 400
    fresh = await conversation(atendimento, "TR2", "5511922223333")
    state = (await answer(supervisor, fresh, {"idade": 70, "plano": "Diária"})).json()
    assert state["checklist"]["version"] == 2
    assert state["outcome"] == "qualified"

    invalid_versions = [
        {
            "title": "x",
            "questions": [{"code": "a", "text": "A", "qtype": "single_choice", "options": ["só uma"]}],
        },
        {"title": "x", "questions": [{"code": "a", "text": "A", "qtype": "text", "options": ["x", "y"]}]},
        {
            "title": "x",
            "questions": [
                {"code": "a", "text": "A", "qtype": "text"},
                {"code": "a", "text": "B", "qtype": "text"},
            ],
        },
    ]
    for payload in invalid_versions:
        response = await supervisor.post("/api/triage/checklists/qualificacao_lead/versions", json=payload)
        assert response.status_code == 400, response.text
