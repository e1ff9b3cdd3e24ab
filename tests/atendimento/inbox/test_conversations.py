"""Conversations: reopening rules, who sees what, assignment, transfer, labels, notes, filters."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest
from sqlalchemy import select

from carinho.atendimento.agents.models import Role, SupportLevel
from carinho.atendimento.inbox.send_order import SEND_JOB
from carinho.kit import clock
from carinho.runtime import Runtime
from tests.atendimento.conftest import OPEN_INSTANT, Api, MakeAgent, freeze_at, post_webhook, received


async def incoming(client: httpx.AsyncClient, message_id: str, phone: str, text: str = "Olá") -> dict:
    response = await post_webhook(client, received(message_id, phone=phone, text=text))
    assert response.status_code == 200, response.text
    return response.json()


async def no_round_robin(supervisor: Api) -> None:
    response = await supervisor.patch("/api/automations/round_robin", json={"enabled": False})
    assert response.status_code == 200, response.text


async def test_a_message_continues_or_reopens_the_active_conversation_and_starts_anew_after_resolved(
    seeded: Runtime, atendimento: httpx.AsyncClient, make_agent: MakeAgent
) -> None:
    freeze_at(OPEN_INSTANT)
    supervisor = await make_agent(Role.supervisor)
    first = await incoming(atendimento, "M1", "5511911112222")
    second = await incoming(atendimento, "M2", "5511911112222")
    assert second["conversation_id"] == first["conversation_id"]
    assert second["new_conversation"] is False
    conversation_id = first["conversation_id"]

    waiting = await supervisor.patch(
        f"/api/conversations/{conversation_id}", json={"status": "waiting_customer"}
    )
    assert waiting.json()["status"] == "waiting_customer"
    third = await incoming(atendimento, "M3", "5511911112222")
    assert third["conversation_id"] == conversation_id
    reopened = (await supervisor.get(f"/api/conversations/{conversation_id}")).json()
    assert reopened["status"] == "open"
    history = (await supervisor.get(f"/api/conversations/{conversation_id}/history")).json()
    assert any(e["action"] == "conversation.reopened" for e in history)

    await supervisor.post(f"/api/conversations/{conversation_id}/funnel", json={"stage": "qualified"})
    resolved = await supervisor.patch(f"/api/conversations/{conversation_id}", json={"status": "resolved"})
    assert resolved.json()["status"] == "resolved"
    assert resolved.json()["resolved_at"] is not None
    fourth = await incoming(atendimento, "M4", "5511911112222")
    assert fourth["new_conversation"] is True
    assert fourth["conversation_id"] != conversation_id
    new = (await supervisor.get(f"/api/conversations/{fourth['conversation_id']}")).json()
    assert new["funnel_stage"] == "qualified"  # a returning lead keeps its stage
    old = (await supervisor.get(f"/api/conversations/{conversation_id}")).json()
    assert old["status"] == "resolved"

    clash = await supervisor.patch(f"/api/conversations/{conversation_id}", json={"status": "open"})
    assert clash.status_code == 409
    assert clash.json()["details"]["active_conversation_id"] == fourth["conversation_id"]
    closed = await supervisor.patch(
        f"/api/conversations/{fourth['conversation_id']}", json={"status": "closed"}
    )
    assert closed.json()["status"] == "closed"
    assert (
        await supervisor.patch(f"/api/conversations/{fourth['conversation_id']}", json={"status": "open"})
    ).status_code == 409
    reply = await supervisor.post(
        f"/api/conversations/{fourth['conversation_id']}/messages", json={"text": "oi"}
    )
    assert reply.status_code == 403
    fifth = await incoming(atendimento, "M5", "5511911112222")
    assert fifth["new_conversation"] is True


async def test_an_agent_sees_only_their_own_and_the_unassigned_of_their_level(
    seeded: Runtime, atendimento: httpx.AsyncClient, make_agent: MakeAgent
) -> None:
    freeze_at(OPEN_INSTANT)
    supervisor = await make_agent(Role.supervisor, SupportLevel.n3)
    await no_round_robin(supervisor)
    n1 = await make_agent(Role.agent, SupportLevel.n1)
    n1_other = await make_agent(Role.agent, SupportLevel.n1)
    n2 = await make_agent(Role.agent, SupportLevel.n2)
    unassigned_n1 = (await incoming(atendimento, "A1", "5511900000001"))["conversation_id"]
    n2_conversation = (await incoming(atendimento, "A2", "5511900000002"))["conversation_id"]
    others = (await incoming(atendimento, "A3", "5511900000003"))["conversation_id"]
    escalated = await supervisor.post(
        f"/api/conversations/{n2_conversation}/escalate", json={"to_level": "N2", "reason": "Caso técnico"}
    )
    assert escalated.status_code == 201, escalated.text
    # The escalation handed it to the N2 agent; back to nobody, it is one of the N2 queue's.
    await supervisor.post(f"/api/conversations/{n2_conversation}/assign", json={"agent_id": None})
    await supervisor.post(f"/api/conversations/{others}/assign", json={"agent_id": n1_other.agent_id})

    assert [c["id"] for c in (await n1.get("/api/conversations")).json()] == [unassigned_n1]
    assert [c["id"] for c in (await n2.get("/api/conversations")).json()] == [n2_conversation]
    assert [c["id"] for c in (await n1_other.get("/api/conversations")).json()] == [others, unassigned_n1]
    assert len((await supervisor.get("/api/conversations")).json()) == 3

    for hidden, reason in ((n2_conversation, "nível N2"), (others, "atribuída a outro atendente")):
        calls = [
            n1.get(f"/api/conversations/{hidden}"),
            n1.get(f"/api/conversations/{hidden}/messages"),
            n1.get(f"/api/conversations/{hidden}/history"),
            n1.get(f"/api/conversations/{hidden}/triage"),
            n1.get(f"/api/conversations/{hidden}/funnel"),
            n1.get(f"/api/conversations/{hidden}/documents"),
            n1.post(f"/api/conversations/{hidden}/messages", json={"text": "oi"}),
            n1.post(f"/api/conversations/{hidden}/messages/template", json={"template_id": 1}),
            n1.post(f"/api/conversations/{hidden}/notes", json={"text": "nota"}),
            n1.post(f"/api/conversations/{hidden}/labels", json={"label_id": 1}),
            n1.post(f"/api/conversations/{hidden}/assign", json={"agent_id": n1.agent_id}),
            n1.post(f"/api/conversations/{hidden}/transfer", json={"agent_id": n1.agent_id}),
            n1.post(f"/api/conversations/{hidden}/funnel", json={"stage": "in_service"}),
            n1.post(f"/api/conversations/{hidden}/triage", json={"answers": {"idade": 80}}),
            n1.patch(f"/api/conversations/{hidden}", json={"priority": "high"}),
            n1.patch(f"/api/conversations/{hidden}/contact", json={"name": "X"}),
        ]
        for call in calls:
            response = await call
            assert response.status_code == 403, (response.request.url, response.text)
            assert reason in response.json()["message"]
    assert (await n1.get("/api/conversations/99999")).status_code == 404

    supervisor_only = [
        n1.get("/api/history"),
        n1.get("/api/alerts"),
        n1.get("/api/messages/failed"),
        n1.post("/api/labels", json={"name": "VIP", "color": "#112233"}),
        n1.post("/api/templates", json={"name": "X", "category": "geral", "body": "oi"}),
        n1.patch("/api/automations/welcome", json={"enabled": False}),
        n1.post("/api/loss-reasons", json={"code": "x", "label": "X"}),
        n1.put("/api/working-hours/weekly", json={"days": []}),
        n1.post("/api/triage/checklists/qualificacao_lead/versions", json={"title": "t", "questions": []}),
        n1.post(f"/api/conversations/{unassigned_n1}/auto-assign"),
    ]
    for call in supervisor_only:
        response = await call
        assert response.status_code == 403, (response.request.url, response.text)
        assert response.json()["message"] == "Acesso negado: esta ação exige o papel supervisor."


async def test_round_robin_assigns_available_agents_of_the_level_within_capacity(
    seeded: Runtime, atendimento: httpx.AsyncClient, make_agent: MakeAgent
) -> None:
    freeze_at(OPEN_INSTANT)
    supervisor = await make_agent(Role.supervisor, SupportLevel.n3)
    first = await make_agent(Role.agent, SupportLevel.n1, capacity=1)
    second = await make_agent(Role.agent, SupportLevel.n1, capacity=1)
    on_break = await make_agent(Role.agent, SupportLevel.n1, capacity=5)
    await make_agent(Role.agent, SupportLevel.n2, capacity=5)
    assert (await on_break.post("/api/auth/me/availability", json={"available": False})).status_code == 200

    assigned = []
    for n in range(3):
        conversation_id = (await incoming(atendimento, f"RR{n}", f"551190000010{n}"))["conversation_id"]
        clock.advance(timedelta(seconds=1))
        assigned.append((await supervisor.get(f"/api/conversations/{conversation_id}")).json()["assignee"])
    assert [a["id"] if a else None for a in assigned] == [first.agent_id, second.agent_id, None]

    [held] = (await supervisor.get(f"/api/conversations?assignee_id={first.agent_id}")).json()
    await supervisor.patch(f"/api/conversations/{held['id']}", json={"status": "resolved"})
    queued = (await supervisor.get("/api/conversations?unassigned=true")).json()[0]["id"]
    auto = await supervisor.post(f"/api/conversations/{queued}/auto-assign")
    assert auto.json()["assignee"]["id"] == first.agent_id
    history = (await supervisor.get(f"/api/conversations/{queued}/history")).json()
    assert [e["after"]["assignee_id"] for e in history if e["action"] == "conversation.assigned"] == [
        first.agent_id
    ]


async def test_manual_assignment_and_transfer(
    seeded: Runtime, atendimento: httpx.AsyncClient, make_agent: MakeAgent
) -> None:
    freeze_at(OPEN_INSTANT)
    supervisor = await make_agent(Role.supervisor)
    await no_round_robin(supervisor)
    ana = await make_agent(Role.agent, name="Ana")
    bia = await make_agent(Role.agent, name="Bia")
    conversation_id = (await incoming(atendimento, "T1", "5511900000200"))["conversation_id"]
    pushed = await ana.post(f"/api/conversations/{conversation_id}/assign", json={"agent_id": bia.agent_id})
    assert pushed.status_code == 403
    taken = await ana.post(f"/api/conversations/{conversation_id}/assign", json={"agent_id": ana.agent_id})
    assert taken.json()["assignee"]["name"] == "Ana"
    assert (await bia.get(f"/api/conversations/{conversation_id}")).status_code == 403
    moved = await ana.post(
        f"/api/conversations/{conversation_id}/transfer",
        json={"agent_id": bia.agent_id, "note": "cliente pediu"},
    )
    assert moved.json()["assignee"]["name"] == "Bia"
    assert (await ana.get(f"/api/conversations/{conversation_id}")).status_code == 403
    history = (await supervisor.get(f"/api/conversations/{conversation_id}/history")).json()
    transfer = next(e for e in history if e["action"] == "conversation.transferred")
    assert transfer["before"] == {"assignee_id": ana.agent_id}
    assert transfer["after"]["assignee_id"] == bia.agent_id
    assert transfer["details"] == {"note": "cliente pediu"}
    assert transfer["actor_name"] == "Ana"
    back = await supervisor.post(f"/api/conversations/{conversation_id}/assign", json={"agent_id": None})
    assert back.json()["assignee"] is None


async def test_notes_stay_internal(
    seeded: Runtime, atendimento: httpx.AsyncClient, make_agent: MakeAgent
) -> None:
    freeze_at(OPEN_INSTANT)
    supervisor = await make_agent(Role.supervisor)
    conversation_id = (await incoming(atendimento, "N1", "5511900000300"))["conversation_id"]
    note = await supervisor.post(
        f"/api/conversations/{conversation_id}/notes", json={"text": "Cliente prefere à tarde"}
    )
    assert note.status_code == 201
    assert note.json()["private"] is True
    assert note.json()["kind"] == "note"
    model = seeded.spec("atendimento").outbox
    async with seeded.db("atendimento").session() as session:
        sends = (await session.execute(select(model).where(model.job == SEND_JOB))).scalars().all()
        assert all(row.args["message_id"] != note.json()["id"] for row in sends)


async def test_labels_and_search_filters(
    seeded: Runtime, atendimento: httpx.AsyncClient, make_agent: MakeAgent
) -> None:
    freeze_at(OPEN_INSTANT)
    supervisor = await make_agent(Role.supervisor)
    label = await supervisor.post("/api/labels", json={"name": "Pós-operatório", "color": "#0ea5e9"})
    assert label.status_code == 201
    assert label.json()["color"] == "#0EA5E9"
    assert (await supervisor.post("/api/labels", json={"name": "Pós-operatório"})).status_code == 409
    assert (
        await supervisor.post("/api/labels", json={"name": "Cor ruim", "color": "azul"})
    ).status_code == 422
    a = (await incoming(atendimento, "F1", "5511988887777", "Minha mãe fez cirurgia no quadril"))[
        "conversation_id"
    ]
    clock.advance(timedelta(hours=2))
    b = (await incoming(atendimento, "F2", "5521977776666", "Quero saber o preço"))["conversation_id"]
    await supervisor.post(f"/api/conversations/{a}/labels", json={"label_id": label.json()["id"]})
    await supervisor.patch(f"/api/conversations/{b}", json={"priority": "urgent"})
    await supervisor.post(f"/api/conversations/{b}/funnel", json={"stage": "in_service"})

    async def ids(query: str) -> list[int]:
        response = await supervisor.get(f"/api/conversations?{query}")
        assert response.status_code == 200, response.text
        return [c["id"] for c in response.json()]

    assert await ids(f"label_id={label.json()['id']}") == [a]
    assert await ids("priority=urgent") == [b]
    assert await ids("priority=urgent&priority=normal") == [b, a]
    assert await ids("status=open") == [b, a]
    assert await ids("status=resolved") == []
    assert await ids("funnel_stage=in_service") == [b]
    assert await ids("text=cirurgia") == [a]
    assert await ids("contact=21977776666") == [b]
    assert await ids("contact=maria") == [b, a]
    assert await ids("level=N1") == [b, a]
    clock.advance(timedelta(days=1))
    c = (await incoming(atendimento, "F3", "5511966665555", "Bom dia"))["conversation_id"]
    boundary = (OPEN_INSTANT + timedelta(hours=20)).isoformat().replace("+00:00", "Z")
    assert await ids(f"since={boundary}") == [c]
    assert await ids(f"until={boundary}") == [b, a]
    removed = await supervisor.delete(f"/api/conversations/{a}/labels/{label.json()['id']}")
    assert removed.json()["labels"] == []
    assert await ids(f"label_id={label.json()['id']}") == []
    history = (await supervisor.get(f"/api/conversations/{a}/history")).json()
    assert [e["action"] for e in history if e["action"].startswith("label.")] == [
        "label.added",
        "label.removed",
    ]


@pytest.mark.parametrize("payload", [{"status": "nope"}, {"priority": "altíssima"}, {"level": "N4"}])
async def test_invalid_values_are_rejected(
    seeded: Runtime, atendimento: httpx.AsyncClient, make_agent: MakeAgent, payload: dict
) -> None:
    freeze_at(OPEN_INSTANT)
    supervisor = await make_agent(Role.supervisor)
    conversation_id = (await incoming(atendimento, "V1", "5511900000400"))["conversation_id"]
    response = await supervisor.patch(f"/api/conversations/{conversation_id}", json=payload)
    assert response.status_code == 422


async def test_the_level_changes_only_by_escalation(
    seeded: Runtime, atendimento: httpx.AsyncClient, make_agent: MakeAgent
) -> None:
    """PATCH would change it without a reason, an escalation row or a reassignment: refused, with
    the way to do it."""
    freeze_at(OPEN_INSTANT)
    supervisor = await make_agent(Role.supervisor)
    conversation_id = (await incoming(atendimento, "LV1", "5511900000500"))["conversation_id"]
    url = f"/api/conversations/{conversation_id}"
    for body in ({"level": "N2"}, {"level": "N2", "priority": "high"}, {"level": None}):
        response = await supervisor.patch(url, json=body)
        assert response.status_code == 422, body
        assert f"{url}/escalate" in response.json()["message"] and "/deescalate" in response.json()["message"]
    conversation = (await supervisor.get(url)).json()
    assert (conversation["level"], conversation["priority"]) == ("N1", "normal")  # nothing applied
    history = (await supervisor.get(f"{url}/history")).json()
    assert not any(e["action"] == "conversation.level_changed" for e in history)
    schema = (await atendimento.get("/openapi.json")).json()["components"]["schemas"]["ConversationUpdate"]
    assert "level" not in schema["properties"]
    assert (await supervisor.patch(url, json={"priority": "high"})).status_code == 200
