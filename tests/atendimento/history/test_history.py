"""The audit trail: an entry for every action, searchable by supervisors, and no way to alter it."""

from __future__ import annotations

import ast
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

import carinho.atendimento
from carinho.atendimento.agents.models import Role
from carinho.atendimento.history.models import HistoryEntry, HistoryIsAppendOnly
from carinho.atendimento.history.service import ACTION_LABELS, Action
from carinho.runtime import Runtime
from tests.atendimento.conftest import OPEN_INSTANT, MakeAgent, freeze_at, post_webhook, received


async def test_every_action_leaves_an_entry_with_actor_and_before_after(
    seeded: Runtime, atendimento: httpx.AsyncClient, make_agent: MakeAgent
) -> None:
    freeze_at(OPEN_INSTANT)
    supervisor = await make_agent(Role.supervisor, name="Sônia")
    colleague = await make_agent(Role.agent, name="Caio")
    conversation_id = (await post_webhook(atendimento, received("AU1"))).json()["conversation_id"]
    url = f"/api/conversations/{conversation_id}"
    label_id = (await supervisor.get("/api/labels")).json()[0]["id"]
    template_id = next(
        t["id"] for t in (await supervisor.get("/api/templates")).json() if t["key"] == "greeting_agent"
    )
    steps = [
        supervisor.post(f"{url}/assign", json={"agent_id": supervisor.agent_id}),
        supervisor.post(f"{url}/messages", json={"text": "Olá!"}),
        supervisor.post(f"{url}/messages/template", json={"template_id": template_id}),
        supervisor.post(
            f"{url}/messages/attachment",
            json={"url": "https://example.com/folheto.pdf", "kind": "document", "file_name": "folheto.pdf"},
        ),
        supervisor.post(f"{url}/notes", json={"text": "Família com urgência"}),
        supervisor.post(f"{url}/labels", json={"label_id": label_id}),
        supervisor.patch(url, json={"priority": "high"}),
        supervisor.post(f"{url}/escalate", json={"to_level": "N2", "reason": "Caso delicado"}),
        supervisor.post(f"{url}/triage", json={"answers": {"idade": 80}}),
        supervisor.post(f"{url}/funnel", json={"stage": "qualified"}),
        supervisor.post(f"{url}/transfer", json={"agent_id": colleague.agent_id}),
        supervisor.patch(url, json={"status": "waiting_customer"}),
    ]
    for step in steps:
        response = await step
        assert response.status_code < 300, response.text
    history = (await supervisor.get(f"{url}/history")).json()
    by_action: dict[str, list[dict]] = {}
    for entry in history:
        by_action.setdefault(entry["action"], []).append(entry)
    expected = {
        "conversation.created": "contact",
        "message.received": "contact",
        "automation.sent": "automation",
        "conversation.assigned": "agent",  # round-robin (automation) first, then by hand
        "message.queued": "agent",
        "template.used": "agent",
        "note.added": "agent",
        "label.added": "agent",
        "conversation.priority_changed": "agent",
        "conversation.level_changed": "agent",
        "triage.answered": "agent",
        "funnel.moved": "system",  # the first reply moved new -> in_service
        "conversation.transferred": "agent",
        "conversation.status_changed": "agent",
    }
    for action, actor_type in expected.items():
        assert action in by_action, action
        assert any(e["actor_type"] == actor_type for e in by_action[action]), action
    assert by_action["conversation.priority_changed"][0]["before"] == {"priority": "normal"}
    assert by_action["conversation.priority_changed"][0]["after"] == {"priority": "high"}
    assert by_action["conversation.level_changed"][0]["after"] == {"level": "N2"}
    assert by_action["conversation.status_changed"][0]["after"] == {"status": "waiting_customer"}
    assert [e["after"]["funnel_stage"] for e in by_action["funnel.moved"]] == ["in_service", "qualified"]
    assert len(by_action["message.queued"]) == 3  # reply, template, attachment
    assert all(e["actor_name"] == "Sônia" for e in by_action["note.added"])
    assert all(e["created_at"] for e in history)
    assert history[0]["action_label"] == "Conversa criada"

    found = (await supervisor.get(f"/api/history?action=label.added&actor_id={supervisor.agent_id}")).json()
    assert [e["conversation_id"] for e in found] == [conversation_id]
    assert (await supervisor.get("/api/history?actor_type=automation")).json()
    assert (await colleague.get("/api/history")).status_code == 403


async def test_the_api_offers_no_way_to_change_or_delete_history(
    seeded: Runtime, atendimento: httpx.AsyncClient, make_agent: MakeAgent
) -> None:
    admin = await make_agent(Role.admin)
    conversation_id = (await post_webhook(atendimento, received("AU2"))).json()["conversation_id"]
    [entry, *_] = (await admin.get(f"/api/conversations/{conversation_id}/history")).json()
    for method in ("PUT", "PATCH", "DELETE", "POST"):
        for path in (
            f"/api/history/{entry['id']}",
            "/api/history",
            f"/api/conversations/{conversation_id}/history",
        ):
            response = await admin.client.request(method, path, headers=admin.headers, json={})
            assert response.status_code in (404, 405), (method, path, response.status_code)
    schema = (await atendimento.get("/openapi.json")).json()
    for path, operations in schema["paths"].items():
        if "history" in path:
            assert set(operations) == {"get"}, path


async def test_entries_cannot_be_updated_or_deleted_even_through_the_orm(
    seeded: Runtime, atendimento: httpx.AsyncClient
) -> None:
    await post_webhook(atendimento, received("AU3"))
    async with seeded.db("atendimento").session() as session:
        entry = (await session.execute(select(HistoryEntry).limit(1))).scalar_one()
        entry.action = "forged"
        with pytest.raises(HistoryIsAppendOnly):
            await session.flush()
        await session.rollback()
    async with seeded.db("atendimento").session() as session:
        entry = (await session.execute(select(HistoryEntry).limit(1))).scalar_one()
        await session.delete(entry)
        with pytest.raises(HistoryIsAppendOnly):
            await session.flush()
        await session.rollback()
    async with seeded.db("atendimento").session() as session:
        assert (
            await session.execute(select(HistoryEntry).where(HistoryEntry.action == "forged"))
        ).first() is None


async def test_the_openapi_documents_the_whole_api(seeded: Runtime, atendimento: httpx.AsyncClient) -> None:
    schema = (await atendimento.get("/openapi.json")).json()
    for path in (
        "/api/auth/login",
        "/api/conversations",
        "/api/conversations/{conversation_id}/messages",
        "/api/conversations/{conversation_id}/triage",
        "/api/conversations/{conversation_id}/funnel",
        "/api/working-hours/status",
        "/api/automations/{kind}",
        "/api/history",
        "/webhooks/whatsapp",
    ):
        assert path in schema["paths"], path
    assert "HTTPBearer" in schema["components"]["securitySchemes"]


def test_every_action_has_a_portuguese_label() -> None:
    constants = {value for name, value in vars(Action).items() if not name.startswith("_")}
    assert constants == set(ACTION_LABELS)
    labels = list(ACTION_LABELS.values())
    assert all(label.strip() for label in labels) and len(set(labels)) == len(labels)


def test_every_recorded_action_is_an_action_constant() -> None:
    """A bare string passed to history_service.record would show untranslated in the trail."""

    def is_constant(expr: ast.expr) -> bool:
        if isinstance(expr, ast.IfExp):
            return is_constant(expr.body) and is_constant(expr.orelse)
        if isinstance(expr, ast.Name):  # a helper's `action: str` parameter, itself called with constants
            return expr.id == "action"
        return isinstance(expr, ast.Attribute) and ast.unparse(expr.value) == "Action"

    package = Path(carinho.atendimento.__file__).parent
    offenders = []
    for path in sorted(package.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "record"
                and ast.unparse(node.func.value) == "history_service"
                and not is_constant(node.args[1])
            ):
                offenders.append(f"{path.relative_to(package)}:{node.lineno}: {ast.unparse(node.args[1])}")
    assert offenders == []
