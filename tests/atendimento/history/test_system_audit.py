"""The audit trail records people's actions on the system, not only on conversations: logins,
accounts, templates, rules, SLA policies, working hours, retention and data-subject requests — each
visible through `GET /api/history` with its filters."""

from __future__ import annotations

from typing import Any

import httpx

from carinho.atendimento.agents.models import Role
from carinho.runtime import Runtime
from tests.atendimento.conftest import Api, MakeAgent


async def audit(api: Api, **params: Any) -> list[dict[str, Any]]:
    response = await api.get("/api/history", params={"system_only": "true", **params})
    assert response.status_code == 200, response.text
    return response.json()


def only(entries: list[dict[str, Any]], action: str) -> dict[str, Any]:
    matching = [e for e in entries if e["action"] == action]
    assert len(matching) == 1, (action, [e["action"] for e in entries])
    return matching[0]


async def test_logins_succeeded_and_failed_are_recorded_by_the_api_and_the_login_page(
    seeded: Runtime, atendimento: httpx.AsyncClient, make_agent: MakeAgent
) -> None:
    admin = await make_agent(Role.admin)
    created = (
        await admin.post(
            "/api/agents",
            json={"name": "Ana Lima", "email": "ana@carinho.com.vc", "role": "agent", "level": "N1"},
        )
    ).json()
    password = created["initial_password"]
    ana_id = created["agent"]["id"]
    ok = await atendimento.post("/api/auth/login", json={"email": "ana@carinho.com.vc", "password": password})
    assert ok.status_code == 200
    wrong = await atendimento.post("/api/auth/login", json={"email": "ana@carinho.com.vc", "password": "x"})
    assert wrong.status_code == 401
    unknown = await atendimento.post(
        "/api/auth/login", json={"email": "ninguem@carinho.com.vc", "password": "x"}
    )
    assert unknown.status_code == 401
    page = await atendimento.post("/entrar", data={"email": "ana@carinho.com.vc", "password": "errada"})
    assert page.status_code == 401

    logins = await audit(admin, category="auth")
    successes = [e for e in logins if e["action"] == "auth.login"]
    assert [(e["actor_type"], e["actor_id"]) for e in successes] == [("agent", ana_id)]
    failures = [e for e in logins if e["action"] == "auth.login_failed"]
    assert len(failures) == 3
    by_email: dict[str, list[dict[str, Any]]] = {}
    for entry in failures:
        by_email.setdefault(entry["details"]["email"], []).append(entry)
    assert len(by_email["ana@carinho.com.vc"]) == 2
    assert all(e["actor_id"] == ana_id for e in by_email["ana@carinho.com.vc"])
    assert by_email["ninguem@carinho.com.vc"][0]["actor_type"] == "system"
    assert all(e["action_label"] == "Falha de login" for e in failures)
    # Filtered by the person: Ana's own entries (her login and the failed attempts on her account).
    mine = await audit(admin, actor_id=ana_id, category="auth")
    assert sorted(e["action"] for e in mine) == ["auth.login", "auth.login_failed", "auth.login_failed"]


async def test_a_deactivated_agent_s_attempt_is_a_failure_with_its_reason(
    seeded: Runtime, atendimento: httpx.AsyncClient, make_agent: MakeAgent
) -> None:
    admin = await make_agent(Role.admin)
    created = (
        await admin.post("/api/agents", json={"name": "Bia", "email": "bia@carinho.com.vc", "level": "N1"})
    ).json()
    await admin.patch(f"/api/agents/{created['agent']['id']}", json={"active": False})
    response = await atendimento.post(
        "/api/auth/login", json={"email": "bia@carinho.com.vc", "password": created["initial_password"]}
    )
    assert response.status_code == 401
    failure = only(await audit(admin, action="auth.login_failed"), "auth.login_failed")
    assert failure["details"]["reason"] == "inactive"


async def test_agent_management_is_recorded_action_by_action(
    seeded: Runtime, atendimento: httpx.AsyncClient, make_agent: MakeAgent
) -> None:
    admin = await make_agent(Role.admin, name="Dona Admin")
    created = await admin.post(
        "/api/agents", json={"name": "Caio", "email": "caio@carinho.com.vc", "role": "agent", "level": "N1"}
    )
    assert created.status_code == 201
    caio_id = created.json()["agent"]["id"]
    url = f"/api/agents/{caio_id}"
    assert (await admin.patch(url, json={"role": "supervisor"})).status_code == 200
    assert (await admin.patch(url, json={"level": "N2"})).status_code == 200
    assert (await admin.patch(url, json={"name": "Caio Souza", "capacity": 5})).status_code == 200
    assert (await admin.patch(url, json={"active": False})).status_code == 200
    assert (await admin.patch(url, json={"active": True})).status_code == 200
    assert (await admin.patch(url, json={"level": "N2"})).status_code == 200  # no change: no entry
    assert (await admin.post(f"{url}/reset-password")).status_code == 200

    everything = await audit(admin, category="agent")
    # The fixture's agents were created by the system (no one signed in); Caio by the administrator.
    entries = [e for e in everything if e["details"]["agent_id"] == caio_id]
    assert all(e["actor_type"] == "agent" and e["actor_id"] == admin.agent_id for e in entries)
    fixture_entry = next(e for e in everything if e["details"]["agent_id"] == admin.agent_id)
    assert (fixture_entry["action"], fixture_entry["actor_type"]) == ("agent.created", "system")
    created_entry = only(entries, "agent.created")
    assert created_entry["after"]["email"] == "caio@carinho.com.vc"
    assert "password_hash" not in created_entry["after"]
    assert only(entries, "agent.role_changed")["before"] == {"role": "agent"}
    assert only(entries, "agent.role_changed")["after"] == {"role": "supervisor"}
    assert only(entries, "agent.level_changed")["after"] == {"level": "N2"}
    updated = only(entries, "agent.updated")
    assert updated["before"] == {"name": "Caio", "capacity": 10}
    assert updated["after"] == {"name": "Caio Souza", "capacity": 5}
    assert only(entries, "agent.deactivated")["after"] == {"active": False}
    assert only(entries, "agent.reactivated")["after"] == {"active": True}
    reset = only(entries, "agent.password_reset")
    assert reset["action_label"] == "Senha redefinida pelo administrador"
    # The new password is never in the trail.
    assert "new_password" not in str(entries)


async def test_an_agent_changing_their_password_and_logging_out_is_recorded(
    seeded: Runtime, atendimento: httpx.AsyncClient, make_agent: MakeAgent
) -> None:
    supervisor = await make_agent(Role.supervisor)
    agent = await make_agent(Role.agent)
    admin = await make_agent(Role.admin)
    reset = await admin.post(f"/api/agents/{agent.agent_id}/reset-password")
    agent.epoch += 1
    changed = await agent.post(
        "/api/auth/me/password",
        json={"current_password": reset.json()["new_password"], "new_password": "uma-senha-bem-longa"},
    )
    assert changed.status_code == 204, changed.text
    agent.epoch += 1
    assert (await agent.post("/api/auth/logout")).status_code == 204
    entries = await audit(supervisor, actor_id=agent.agent_id)
    assert [e["action"] for e in entries] == ["auth.logout", "agent.password_changed"]


async def test_templates_rules_sla_working_hours_and_retention_changes_are_recorded(
    seeded: Runtime, atendimento: httpx.AsyncClient, make_agent: MakeAgent
) -> None:
    supervisor = await make_agent(Role.supervisor, name="Sônia")
    template = await supervisor.post(
        "/api/templates", json={"name": "Boas-vindas VIP", "category": "boas_vindas", "body": "Olá!"}
    )
    assert template.status_code == 201, template.text
    template_id = template.json()["id"]
    edit = await supervisor.patch(f"/api/templates/{template_id}", json={"body": "Olá, {{nome_contato}}!"})
    assert edit.status_code == 200, edit.text
    rule = await supervisor.patch("/api/automations/follow_up", json={"delay_minutes": 45})
    assert rule.status_code == 200, rule.text
    sla = await supervisor.put(
        "/api/sla/policies",
        json={
            "policies": [
                {
                    "priority": "urgent",
                    "first_response_minutes": 5,
                    "next_response_minutes": 10,
                    "resolution_minutes": 60,
                }
            ]
        },
    )
    assert sla.status_code == 200, sla.text
    weekly = await supervisor.put(
        "/api/working-hours/weekly",
        json={"days": [{"weekday": d, "intervals": [{"start": "09:00", "end": "17:00"}]} for d in range(5)]},
    )
    assert weekly.status_code == 200, weekly.text
    day = await supervisor.post(
        "/api/working-hours/company-dates",
        json={"day": "2026-12-24", "kind": "closed", "description": "Véspera de Natal"},
    )
    assert day.status_code == 201, day.text
    removed = await supervisor.delete(f"/api/working-hours/company-dates/{day.json()['id']}")
    assert removed.status_code == 204
    calendar = await supervisor.put("/api/working-hours/calendar", json={"state": "RJ"})
    assert calendar.status_code == 200, calendar.text
    retention = await supervisor.put("/api/privacy/retention", json={"policies": {"message_text": 12}})
    assert retention.status_code == 200, retention.text

    entries = await audit(supervisor, actor_id=supervisor.agent_id, limit=100)
    assert all(e["conversation_id"] is None and e["actor_name"] == "Sônia" for e in entries)
    created = only(entries, "template.created")
    assert created["after"]["name"] == "Boas-vindas VIP"
    updated = only(entries, "template.updated")
    assert updated["before"] == {"body": "Olá!"}
    assert updated["after"] == {"body": "Olá, {{nome_contato}}!"}
    rule_entry = only(entries, "automation.rule_changed")
    assert rule_entry["details"] == {"rule": "follow_up"}
    assert rule_entry["after"]["delay_minutes"] == 45
    assert only(entries, "sla.policy_changed")["after"]["first_response_minutes"] == 5
    hours = only(entries, "working_hours.changed")
    assert hours["after"]["weekly"] == [[d, 540, 1020] for d in range(5)]
    assert hours["before"]["weekly"] != hours["after"]["weekly"]
    assert only(entries, "working_hours.date_added")["after"]["description"] == "Véspera de Natal"
    assert only(entries, "working_hours.date_removed")["before"]["day"] == "2026-12-24"
    assert only(entries, "working_hours.settings_changed")["after"]["state"] == "RJ"
    assert only(entries, "privacy.retention_changed")["after"]["months"]["message_text"] == 12
    # The category filter narrows to one kind of configuration.
    hours_only = await audit(supervisor, category="working_hours")
    assert {e["action"] for e in hours_only} == {
        "working_hours.changed",
        "working_hours.date_added",
        "working_hours.date_removed",
        "working_hours.settings_changed",
    }


async def test_data_subject_requests_are_in_the_system_trail(
    seeded: Runtime, atendimento: httpx.AsyncClient, make_agent: MakeAgent
) -> None:
    admin = await make_agent(Role.admin)
    for kind in ("export", "erase"):
        response = await admin.post(
            "/api/privacy/requests",
            json={"kind": kind, "phone": "(11) 91234-5678", "reason": "Pedido do titular por e-mail"},
        )
        assert response.status_code == 201, response.text
    entries = await audit(admin, category="privacy")
    actions = [e["action"] for e in entries]
    assert "privacy.exported" in actions and "privacy.erased" in actions
    # The subject only masked: the number appears in no entry, in any writing (a shorter piece like
    # "91234" can turn up by chance in a timestamp's microseconds or a hash).
    assert all("912345678" not in str(e).replace("-", "").replace(" ", "") for e in entries)


async def test_the_audit_filters_are_validated(
    seeded: Runtime, atendimento: httpx.AsyncClient, make_agent: MakeAgent
) -> None:
    supervisor = await make_agent(Role.supervisor)
    agent = await make_agent(Role.agent)
    assert (await supervisor.get("/api/history", params={"category": "agent%"})).status_code == 422
    assert (await agent.get("/api/history", params={"category": "auth"})).status_code == 403
