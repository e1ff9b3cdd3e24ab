"""Incidents: categories and their default severity, the status flow, notes, the timeline and the
audit trail, listing with filters and a cursor, and who may see what."""

from __future__ import annotations

import httpx

from carinho.atendimento.agents.models import Role
from carinho.atendimento.incidents.models import ALLOWED_TRANSITIONS, IncidentStatus
from carinho.runtime import Runtime
from tests.atendimento.conftest import Api, MakeAgent
from tests.atendimento.incidents.conftest import conversation_of

SEEDED = [
    ("emergencia_saude", "Emergência de saúde", "critical", True),
    ("queda_acidente", "Queda/acidente", "critical", True),
    ("falta_cuidador", "Falta de cuidador", "high", False),
    ("atraso_cuidador", "Atraso de cuidador", "medium", False),
    ("reclamacao", "Reclamação", "medium", False),
    ("comportamento_inadequado", "Comportamento inadequado", "high", False),
    ("problema_pagamento", "Problema de pagamento", "medium", False),
    ("outro", "Outro", "low", False),
]


async def open_incident(api: Api, **body: object) -> dict:
    response = await api.post(
        "/api/incidents", json={"category_code": "reclamacao", "title": "Atraso", **body}
    )
    assert response.status_code == 201, response.text
    return response.json()


async def move(api: Api, incident_id: int, status: str, **body: object) -> httpx.Response:
    return await api.post(f"/api/incidents/{incident_id}/status", json={"status": status, **body})


async def test_seeded_categories_give_their_default_severity_which_can_be_overridden(
    seeded: Runtime, make_agent: MakeAgent
) -> None:
    agent = await make_agent()
    categories = (await agent.get("/api/incidents/categories")).json()
    assert [(c["code"], c["name"], c["default_severity"], c["is_emergency"]) for c in categories] == SEEDED

    assert (await open_incident(agent, category_code="falta_cuidador"))["severity"] == "high"
    by_id = await open_incident(agent, category_id=categories[7]["id"], category_code=None)
    assert (by_id["category"]["code"], by_id["severity"], by_id["severity_label"]) == (
        "outro",
        "low",
        "Baixa",
    )
    overridden = await open_incident(agent, category_code="atraso_cuidador", severity="critical")
    assert overridden["severity"] == "critical"
    assert overridden["status"] == "open"
    assert overridden["owner"]["id"] == agent.agent_id  # whoever opens it owns it by default

    unknown = await agent.post("/api/incidents", json={"category_code": "nao_existe", "title": "x"})
    assert unknown.status_code == 404
    missing = await agent.post("/api/incidents", json={"title": "x"})
    assert missing.status_code == 400
    # An emergency category needs the conversation of the person to help.
    emergency = await agent.post("/api/incidents", json={"category_code": "emergencia_saude", "title": "x"})
    assert emergency.status_code == 400


async def test_supervisors_manage_categories(seeded: Runtime, make_agent: MakeAgent) -> None:
    agent = await make_agent()
    supervisor = await make_agent(Role.supervisor)
    body = {
        "code": "furto",
        "name": "Furto ou roubo",
        "default_severity": "high",
        "operacao_category": "seguranca",
    }
    assert (await agent.post("/api/incidents/categories", json=body)).status_code == 403
    created = await supervisor.post("/api/incidents/categories", json=body)
    assert created.status_code == 201, created.text
    category = created.json()
    assert (category["default_severity"], category["is_emergency"], category["active"]) == (
        "high",
        False,
        True,
    )
    assert (await supervisor.post("/api/incidents/categories", json=body)).status_code == 409
    bad = await supervisor.post(
        "/api/incidents/categories", json={**body, "code": "x", "operacao_category": "z"}
    )
    assert bad.status_code == 422

    assert (await open_incident(agent, category_code="furto"))["severity"] == "high"
    changed = await supervisor.patch(
        f"/api/incidents/categories/{category['id']}", json={"default_severity": "medium", "name": "Furto"}
    )
    assert changed.json()["name"] == "Furto"
    assert (await open_incident(agent, category_code="furto"))["severity"] == "medium"

    assert (await supervisor.delete(f"/api/incidents/categories/{category['id']}")).status_code == 409
    off = await supervisor.patch(f"/api/incidents/categories/{category['id']}", json={"active": False})
    assert off.json()["active"] is False
    listed = [c["code"] for c in (await agent.get("/api/incidents/categories")).json()]
    assert "furto" not in listed
    every = [c["code"] for c in (await agent.get("/api/incidents/categories?include_inactive=true")).json()]
    assert "furto" in every
    refused = await agent.post("/api/incidents", json={"category_code": "furto", "title": "x"})
    assert refused.status_code == 400

    unused = (await supervisor.post("/api/incidents/categories", json={**body, "code": "teste"})).json()
    assert (await agent.delete(f"/api/incidents/categories/{unused['id']}")).status_code == 403
    assert (await supervisor.delete(f"/api/incidents/categories/{unused['id']}")).status_code == 204
    assert (await supervisor.patch(f"/api/incidents/categories/{unused['id']}", json={})).status_code == 404


async def test_every_status_transition_is_allowed_or_refused_as_the_flow_says(
    seeded: Runtime, make_agent: MakeAgent
) -> None:
    agent = await make_agent()
    # The shortest way to each status, and the flow a person reads in the brief.
    path = {
        "open": [],
        "in_progress": ["in_progress"],
        "resolved": ["in_progress", "resolved"],
        "closed": ["in_progress", "resolved", "closed"],
    }
    expected = {
        ("open", "in_progress"),
        ("in_progress", "resolved"),
        ("resolved", "closed"),
        ("resolved", "in_progress"),
    }
    assert {(a.value, b.value) for a, targets in ALLOWED_TRANSITIONS.items() for b in targets} == expected
    for start, steps in path.items():
        for target in IncidentStatus:
            incident = await open_incident(agent)
            for step in steps:
                moved = await move(agent, incident["id"], step, resolution="Resolvido")
                assert moved.status_code == 200, moved.text
            response = await move(agent, incident["id"], target.value, resolution="Resolvido")
            if (start, target.value) in expected:
                assert response.status_code == 200, (start, target, response.text)
                assert response.json()["status"] == target.value
            else:
                assert response.status_code == 409, (start, target, response.text)
                assert response.json()["error"] == "conflict"


async def test_resolving_needs_a_resolution_reopening_clears_it_and_closed_is_final(
    seeded: Runtime, make_agent: MakeAgent
) -> None:
    agent = await make_agent()
    incident = await open_incident(agent, description="A cuidadora chegou às 10h em vez das 8h")
    incident_id = incident["id"]
    assert incident["allowed_next"] == ["in_progress"]
    assert (await move(agent, incident_id, "in_progress", note="Ligando para a cuidadora")).status_code == 200
    for missing in ({}, {"resolution": "   "}):
        refused = await move(agent, incident_id, "resolved", **missing)
        assert refused.status_code == 400
        assert "resolução" in refused.json()["message"]
    resolved = (await move(agent, incident_id, "resolved", resolution="Escala ajustada")).json()
    assert (resolved["status"], resolved["resolution"]) == ("resolved", "Escala ajustada")
    assert resolved["resolved_at"] is not None
    reopened = (await move(agent, incident_id, "in_progress", note="Cliente reclamou de novo")).json()
    assert (reopened["status"], reopened["resolved_at"]) == ("in_progress", None)
    await move(agent, incident_id, "resolved", resolution="Cuidadora substituída")
    closed = (await move(agent, incident_id, "closed")).json()
    assert closed["closed_at"] is not None
    assert closed["allowed_next"] == []
    assert (await agent.patch(f"/api/incidents/{incident_id}", json={"title": "Novo"})).status_code == 409

    detail = (await agent.get(f"/api/incidents/{incident_id}")).json()
    actions = [(e["action"], e["note"]) for e in detail["timeline"]]
    assert actions == [
        ("opened", "A cuidadora chegou às 10h em vez das 8h"),
        ("status_changed", "Ligando para a cuidadora"),
        ("status_changed", "Escala ajustada"),
        ("status_changed", "Cliente reclamou de novo"),
        ("status_changed", "Cuidadora substituída"),
        ("status_changed", None),
    ]
    assert all(e["actor_id"] == agent.agent_id for e in detail["timeline"])
    assert detail["timeline"][5]["details"] == {"from": "resolved", "to": "closed"}


async def test_edits_and_notes_are_in_the_timeline_and_the_audit_trail(
    seeded: Runtime, atendimento: httpx.AsyncClient, make_agent: MakeAgent
) -> None:
    agent = await make_agent()
    other = await make_agent()
    supervisor = await make_agent(Role.supervisor)
    conversation_id = await conversation_of(
        atendimento, supervisor, agent, phone="5511900001111", message_id="E1"
    )
    incident = await open_incident(agent, conversation_id=conversation_id, caregiver_id="CUI-77")
    assert incident["conversation_id"] == conversation_id
    assert incident["contact_id"] is not None  # taken from the conversation
    incident_id = incident["id"]

    patched = await agent.patch(
        f"/api/incidents/{incident_id}",
        json={
            "title": "Atraso recorrente",
            "severity": "high",
            "crm_client_id": "123",
            "description": "Três vezes",
        },
    )
    assert patched.status_code == 200, patched.text
    body = patched.json()
    assert (body["title"], body["severity"], body["crm_client_id"], body["caregiver_id"]) == (
        "Atraso recorrente",
        "high",
        "123",
        "CUI-77",
    )
    # Giving the incident to someone else is a supervisor's call.
    assert (
        await agent.patch(f"/api/incidents/{incident_id}", json={"owner_id": other.agent_id})
    ).status_code == 403
    given = await supervisor.patch(f"/api/incidents/{incident_id}", json={"owner_id": other.agent_id})
    assert given.json()["owner"]["id"] == other.agent_id
    note = await agent.post(f"/api/incidents/{incident_id}/notes", json={"note": "Cliente pediu retorno"})
    assert note.status_code == 201
    assert (note.json()["action"], note.json()["note"]) == ("note", "Cliente pediu retorno")
    assert (await agent.post(f"/api/incidents/{incident_id}/notes", json={"note": " "})).status_code == 400

    timeline = (await agent.get(f"/api/incidents/{incident_id}")).json()["timeline"]
    assert [e["action"] for e in timeline] == ["opened", "updated", "updated", "note"]
    assert timeline[1]["details"]["fields"] == ["crm_client_id", "description", "severity", "title"]
    history = (await supervisor.get(f"/api/conversations/{conversation_id}/history")).json()
    incident_entries = [e for e in history if e["action"].startswith("incident.")]
    assert [e["action"] for e in incident_entries] == [
        "incident.opened",
        "incident.updated",
        "incident.updated",
        "incident.updated",
    ]
    # Free text stays in the incident, out of the audit trail.
    assert "Três vezes" not in str(incident_entries)
    listed = (await agent.get(f"/api/conversations/{conversation_id}/incidents")).json()
    assert [i["id"] for i in listed] == [incident_id]


async def test_listing_filters_and_pages_with_a_cursor(seeded: Runtime, make_agent: MakeAgent) -> None:
    supervisor = await make_agent(Role.supervisor)
    agent = await make_agent()
    ids = []
    for n, (code, severity) in enumerate(
        [
            ("reclamacao", None),
            ("falta_cuidador", None),
            ("outro", "high"),
            ("reclamacao", "low"),
            ("outro", None),
        ]
    ):
        owner = agent if n % 2 else supervisor
        ids.append(
            (await open_incident(owner, category_code=code, severity=severity, title=f"Caso {n}"))["id"]
        )
    await move(supervisor, ids[0], "in_progress")

    async def listed(query: str, api: Api = supervisor) -> list[int]:
        response = await api.get(f"/api/incidents{query}")
        assert response.status_code == 200, response.text
        return [i["id"] for i in response.json()["items"]]

    assert await listed("") == ids[::-1]
    assert await listed("?status=in_progress") == [ids[0]]
    assert await listed("?status=open&severity=high") == [ids[2], ids[1]]
    assert await listed("?category=outro") == [ids[4], ids[2]]
    assert await listed(f"?owner_id={agent.agent_id}") == [ids[3], ids[1]]
    assert await listed("?is_emergency=true") == []
    # An agent sees the incidents they own (these have no conversation).
    assert await listed("", agent) == [ids[3], ids[1]]

    pages, cursor = [], ""
    while True:
        page = (await supervisor.get(f"/api/incidents?limit=2{cursor}")).json()
        pages.append([i["id"] for i in page["items"]])
        if page["next_cursor"] is None:
            break
        cursor = f"&cursor={page['next_cursor']}"
    assert pages == [ids[4:2:-1], ids[2:0:-1], ids[0:1]]
    for bad in ("?cursor=abc", "?limit=0", "?limit=201", "?severity=enorme", "?owner_id=9223372036854775808"):
        assert (await supervisor.get(f"/api/incidents{bad}")).status_code == 422, bad


async def test_an_agent_who_cannot_see_the_conversation_cannot_reach_its_incidents(
    seeded: Runtime, atendimento: httpx.AsyncClient, make_agent: MakeAgent
) -> None:
    owner = await make_agent()
    outsider = await make_agent()
    supervisor = await make_agent(Role.supervisor)
    conversation_id = await conversation_of(
        atendimento, supervisor, owner, phone="5511900002222", message_id="P1"
    )
    # Opened by the supervisor, who keeps it: the outsider has no way in.
    incident = await open_incident(supervisor, conversation_id=conversation_id)
    incident_id = incident["id"]

    assert (await owner.get(f"/api/incidents/{incident_id}")).status_code == 200  # sees the conversation
    for response in (
        await outsider.get(f"/api/incidents/{incident_id}"),
        await outsider.patch(f"/api/incidents/{incident_id}", json={"title": "x"}),
        await move(outsider, incident_id, "in_progress"),
        await outsider.post(f"/api/incidents/{incident_id}/notes", json={"note": "x"}),
        await outsider.post(f"/api/incidents/{incident_id}/acknowledge"),
        await outsider.get(f"/api/conversations/{conversation_id}/incidents"),
        await outsider.get(f"/api/conversations/{conversation_id}/emergency-banner"),
        await outsider.post(f"/api/conversations/{conversation_id}/emergency", json={}),
        await outsider.post(
            "/api/incidents",
            json={"category_code": "outro", "title": "x", "conversation_id": conversation_id},
        ),
    ):
        assert response.status_code == 403, response.text
    assert (await outsider.get("/api/incidents")).json()["items"] == []
    assert [i["id"] for i in (await owner.get("/api/incidents")).json()["items"]] == [incident_id]
    assert (await outsider.get("/api/incidents/9223372036854775807")).status_code == 404
    assert (await outsider.get("/api/incidents/9223372036854775808")).status_code == 422
    assert (await outsider.get("/api/conversations/0/incidents")).status_code == 422
    unauthenticated = await atendimento.get(f"/api/incidents/{incident_id}")
    assert unauthenticated.status_code == 401
