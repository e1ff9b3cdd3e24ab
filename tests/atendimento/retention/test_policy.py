"""The retention policy: seeded defaults, edited by a supervisor and audited; every privacy
endpoint is for supervisors and admins only."""

from __future__ import annotations

import httpx
from sqlalchemy import select

from carinho.atendimento.agents.models import Role
from carinho.atendimento.history.models import HistoryEntry
from carinho.atendimento.history.service import Action
from carinho.atendimento.retention.service import seed_retention
from carinho.runtime import Runtime
from tests.atendimento.conftest import MakeAgent


def months(body: dict) -> dict[str, int | None]:
    return {p["data_class"]: p["months"] for p in body["policies"]}


async def test_defaults_are_seeded_edited_by_a_supervisor_and_audited(
    seeded: Runtime, atendimento: httpx.AsyncClient, make_agent: MakeAgent
) -> None:
    supervisor = await make_agent(Role.supervisor, name="Sônia")
    current = (await supervisor.get("/api/privacy/retention")).json()
    assert months(current) == {"message_text": 24, "attachments": 12, "contact_data": 60, "audit_trail": 60}
    assert current["exceptions"] == {
        "keep_active_conversations": True,
        "keep_open_incidents": True,
        "keep_contracts": True,
        "contract_retention_months": 60,
        "export_ttl_days": 7,
    }
    assert all(p["label"] for p in current["policies"])

    body = {
        "policies": {"message_text": 36, "attachments": 0},
        "exceptions": {"contract_retention_months": 120},
    }
    updated = await supervisor.put("/api/privacy/retention", json=body)
    assert updated.status_code == 200, updated.text
    assert months(updated.json()) == {
        "message_text": 36,
        "attachments": None,
        "contact_data": 60,
        "audit_trail": 60,
    }
    assert updated.json()["exceptions"]["contract_retention_months"] == 120
    assert (await supervisor.put("/api/privacy/retention", json=body)).status_code == 200  # no change

    async with seeded.db("atendimento").session() as session:
        entries = (
            (
                await session.execute(
                    select(HistoryEntry).where(HistoryEntry.action == Action.retention_changed)
                )
            )
            .scalars()
            .all()
        )
        assert len(entries) == 1  # the repeated PUT changed nothing and recorded nothing
        [entry] = entries
        assert (entry.actor_type, entry.actor_id, entry.actor_name) == ("agent", supervisor.agent_id, "Sônia")
        assert entry.before["months"]["message_text"] == 24 and entry.after["months"]["message_text"] == 36
        assert entry.after["contract_retention_months"] == 120
        # Seeding again never overwrites what a supervisor chose.
        assert await seed_retention(session) == []
        await session.commit()
    assert months((await supervisor.get("/api/privacy/retention")).json())["message_text"] == 36
    [shown] = (await supervisor.get("/api/history", params={"action": "privacy.retention_changed"})).json()
    assert shown["action_label"] == "Política de retenção alterada"

    for bad in (
        {"policies": {"message_text": -1}},
        {"policies": {"messages": 10}},
        {"policies": {"message_text": 100000}},
        {"exceptions": {"export_ttl_days": 0}},
    ):
        assert (await supervisor.put("/api/privacy/retention", json=bad)).status_code == 422, bad


async def test_only_supervisors_and_admins_reach_the_retention_policy(
    seeded: Runtime, atendimento: httpx.AsyncClient, make_agent: MakeAgent
) -> None:
    agent = await make_agent(Role.agent)
    admin = await make_agent(Role.admin)
    calls = [
        ("get", "/api/privacy/retention", None),
        ("put", "/api/privacy/retention", {"policies": {"message_text": 1}}),
        ("post", "/api/privacy/retention/runs", None),
        ("get", "/api/privacy/retention/runs", None),
        ("get", "/api/privacy/retention/runs/1", None),
    ]
    for method, url, body in calls:
        kwargs = {"json": body} if body is not None else {}
        denied = await getattr(agent, method)(url, **kwargs)
        assert denied.status_code == 403, (url, denied.text)
        assert "supervisor" in denied.json()["message"]
        anonymous = await getattr(atendimento, method)(url, **kwargs)
        assert anonymous.status_code == 401, url
    assert (await admin.get("/api/privacy/retention")).status_code == 200
    started = await admin.post("/api/privacy/retention/runs")
    assert started.status_code == 202 and started.json()["trigger"] == "manual"
    assert (await admin.get(f"/api/privacy/retention/runs/{started.json()['id']}")).status_code == 200


async def test_only_admins_answer_data_subject_requests(
    seeded: Runtime, atendimento: httpx.AsyncClient, make_agent: MakeAgent
) -> None:
    agent = await make_agent(Role.agent)
    supervisor = await make_agent(Role.supervisor)
    admin = await make_agent(Role.admin)
    calls = [
        ("post", "/api/privacy/requests", {"kind": "export", "phone": "5511900000000", "reason": "pedido"}),
        ("get", "/api/privacy/requests", None),
        ("get", "/api/privacy/requests/1", None),
        ("get", "/api/privacy/requests/1/export.json", None),
    ]
    for method, url, body in calls:
        kwargs = {"json": body} if body is not None else {}
        for refused in (agent, supervisor):
            denied = await getattr(refused, method)(url, **kwargs)
            assert denied.status_code == 403, (url, denied.text)
            assert "administrador" in denied.json()["message"].lower()
        anonymous = await getattr(atendimento, method)(url, **kwargs)
        assert anonymous.status_code == 401, url
    created = await admin.post("/api/privacy/requests", json=calls[0][2])
    assert created.status_code == 201, created.text
    assert (await admin.get(f"/api/privacy/requests/{created.json()['id']}")).status_code == 200
