"""Rule configuration: supervisors only, validated per kind, audited; the seeded defaults."""

from __future__ import annotations

import httpx

from carinho.atendimento.agents.models import Role
from carinho.atendimento.escalation.models import EscalationRule, EscalationSettings
from carinho.atendimento.escalation.seed import DEFAULT_RULES, seed_escalation
from carinho.runtime import Runtime
from tests.atendimento.conftest import OPEN_INSTANT, MakeAgent, freeze_at
from tests.atendimento.escalation.helpers import count, history


async def test_defaults_are_seeded_once_and_deleted_rules_stay_deleted(
    seeded: Runtime, atendimento: httpx.AsyncClient, make_agent: MakeAgent
) -> None:
    freeze_at(OPEN_INSTANT)
    assert await count(seeded, EscalationRule) == len(DEFAULT_RULES)
    assert await count(seeded, EscalationSettings) == 1
    supervisor = await make_agent(Role.supervisor)
    rules = (await supervisor.get("/api/escalation/rules")).json()
    kinds = {r["kind"] for r in rules}
    assert kinds == {
        "keyword",
        "asks_supervisor",
        "sla_breached",
        "sla_at_risk",
        "reopenings",
        "triage_answer",
    }
    emergency = next(r for r in rules if r["opens_emergency"])
    assert (emergency["target_level"], emergency["raise_priority"], emergency["active"]) == (
        "N3",
        "urgent",
        True,
    )

    assert (await supervisor.delete(f"/api/escalation/rules/{emergency['id']}")).status_code == 204
    async with seeded.db("atendimento").session() as session:
        assert await seed_escalation(session) == []
        await session.commit()
    assert await count(seeded, EscalationRule) == len(DEFAULT_RULES) - 1


async def test_only_supervisors_configure_rules_and_every_change_is_audited(
    seeded: Runtime, atendimento: httpx.AsyncClient, make_agent: MakeAgent
) -> None:
    freeze_at(OPEN_INSTANT)
    supervisor = await make_agent(Role.supervisor)
    agent = await make_agent(Role.agent)
    body = {"name": "Golpe", "kind": "keyword", "target_level": "N3", "keywords": ["golpe", "fraude"]}

    assert (await agent.post("/api/escalation/rules", json=body)).status_code == 403
    assert (await agent.get("/api/escalation/rules")).status_code == 200
    for invalid in (
        {**body, "keywords": []},
        {**body, "target_level": "N1"},
        {**body, "kind": "reopenings"},
        {**body, "kind": "triage_answer"},
        {**body, "kind": "sla_breached", "opens_emergency": True},
        {**body, "sla_target": "resolution"},
    ):
        response = await supervisor.post("/api/escalation/rules", json=invalid)
        assert response.status_code in (400, 422), (invalid, response.text)
    assert (await supervisor.post("/api/escalation/rules", json={**body, "kind": "nope"})).status_code == 422

    created = await supervisor.post("/api/escalation/rules", json=body)
    assert created.status_code == 201, created.text
    rule_id = created.json()["id"]
    assert (await agent.patch(f"/api/escalation/rules/{rule_id}", json={"active": False})).status_code == 403
    updated = await supervisor.patch(
        f"/api/escalation/rules/{rule_id}", json={"active": False, "raise_priority": "urgent"}
    )
    assert updated.status_code == 200
    assert (updated.json()["active"], updated.json()["raise_priority"]) == (False, "urgent")
    cleared = await supervisor.patch(f"/api/escalation/rules/{rule_id}", json={"keywords": None})
    assert cleared.status_code == 400  # a keyword rule without keywords
    assert (await supervisor.get(f"/api/escalation/rules/{rule_id}")).json()["keywords"] == [
        "golpe",
        "fraude",
    ]
    assert (await supervisor.delete(f"/api/escalation/rules/{rule_id}")).status_code == 204
    assert (await supervisor.get(f"/api/escalation/rules/{rule_id}")).status_code == 404
    assert (await supervisor.delete(f"/api/escalation/rules/{rule_id}")).status_code == 404

    created_entries = [
        e for e in await history(seeded, "escalation.rule_created") if e.actor_id == supervisor.agent_id
    ]
    assert len(created_entries) == 1
    [change] = await history(seeded, "escalation.rule_updated")
    assert change.before is not None and change.after is not None
    assert (change.before["active"], change.after["active"]) == (True, False)
    [deleted] = await history(seeded, "escalation.rule_deleted")
    assert deleted.before is not None and deleted.before["name"] == "Golpe"
