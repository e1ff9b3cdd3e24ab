"""Manual escalation and de-escalation: reason required, who may do it, reassignment by level."""

from __future__ import annotations

import httpx

from carinho.atendimento.agents.models import Role, SupportLevel
from carinho.atendimento.history.service import Action
from carinho.runtime import Runtime
from tests.atendimento.conftest import OPEN_INSTANT, MakeAgent, freeze_at
from tests.atendimento.escalation.helpers import alerts, conversation, escalations, history, message


async def test_escalate_needs_a_reason_and_sight_of_the_conversation(
    seeded: Runtime, atendimento: httpx.AsyncClient, make_agent: MakeAgent
) -> None:
    freeze_at(OPEN_INSTANT)
    n1 = await make_agent(Role.agent, SupportLevel.n1)
    n2 = await make_agent(Role.agent, SupportLevel.n2)
    conversation_id = await message(atendimento)
    assert (await conversation(seeded, conversation_id)).assignee_id == n1.agent_id
    url = f"/api/conversations/{conversation_id}/escalate"

    assert (await n1.post(url, json={})).status_code == 422
    assert (await n1.post(url, json={"reason": "  "})).status_code == 422
    hidden = await n2.post(url, json={"reason": "Cliente pede reembolso"})
    assert hidden.status_code == 403
    assert await escalations(seeded, conversation_id) == []

    done = await n1.post(url, json={"reason": "Cliente pede reembolso"})
    assert done.status_code == 201, done.text
    body = done.json()
    assert (body["from_level"], body["to_level"], body["direction"]) == ("N1", "N2", "up")
    assert (body["assignee_before_id"], body["assignee_after_id"]) == (n1.agent_id, n2.agent_id)
    assert body["agent_id"] == n1.agent_id
    moved = await conversation(seeded, conversation_id)
    assert (moved.level, moved.assignee_id) == ("N2", n2.agent_id)

    trail = await history(seeded, Action.escalated, conversation_id)
    assert len(trail) == 1
    assert trail[0].actor_id == n1.agent_id
    assert trail[0].details is not None and trail[0].details["reason"] == "Cliente pede reembolso"
    listed = await n2.get(f"/api/conversations/{conversation_id}/escalations")
    assert [e["id"] for e in listed.json()] == [body["id"]]
    # The N1 agent no longer sees it (assigned to someone else at N2).
    assert (await n1.get(f"/api/conversations/{conversation_id}/escalations")).status_code == 403


async def test_escalation_goes_to_the_requested_level_and_stops_at_n3(
    seeded: Runtime, atendimento: httpx.AsyncClient, make_agent: MakeAgent
) -> None:
    freeze_at(OPEN_INSTANT)
    supervisor = await make_agent(Role.supervisor)
    n3 = await make_agent(Role.agent, SupportLevel.n3)
    conversation_id = await message(atendimento)
    url = f"/api/conversations/{conversation_id}/escalate"
    done = await supervisor.post(url, json={"to_level": "N3", "reason": "Caso jurídico"})
    assert done.status_code == 201
    assert (await conversation(seeded, conversation_id)).assignee_id == n3.agent_id
    again = await supervisor.post(url, json={"reason": "de novo"})
    assert again.status_code == 409
    down = await supervisor.post(url, json={"to_level": "N1", "reason": "errado"})
    assert down.status_code in (400, 409)


async def test_deescalate_by_the_assignee_or_a_supervisor_only(
    seeded: Runtime, atendimento: httpx.AsyncClient, make_agent: MakeAgent
) -> None:
    freeze_at(OPEN_INSTANT)
    supervisor = await make_agent(Role.supervisor)
    n1 = await make_agent(Role.agent, SupportLevel.n1)
    n2 = await make_agent(Role.agent, SupportLevel.n2)
    other_n2 = await make_agent(Role.agent, SupportLevel.n2)
    conversation_id = await message(atendimento)
    await n1.post(f"/api/conversations/{conversation_id}/escalate", json={"reason": "Pedido de desconto"})
    holder = (await conversation(seeded, conversation_id)).assignee_id
    assert holder == n2.agent_id
    url = f"/api/conversations/{conversation_id}/deescalate"

    assert (await other_n2.post(url, json={"to_level": "N1", "reason": "volta"})).status_code == 403
    assert (await n2.post(url, json={"to_level": "N1"})).status_code == 422
    assert (await n2.post(url, json={"to_level": "N2", "reason": "mesmo nível"})).status_code == 400

    done = await n2.post(url, json={"to_level": "N1", "reason": "Desconto aprovado, segue no N1"})
    assert done.status_code == 201, done.text
    assert done.json()["direction"] == "down"
    back = await conversation(seeded, conversation_id)
    assert (back.level, back.assignee_id) == ("N1", n1.agent_id)
    assert len(await history(seeded, Action.deescalated, conversation_id)) == 1

    await supervisor.post(f"/api/conversations/{conversation_id}/escalate", json={"reason": "De novo"})
    by_supervisor = await supervisor.post(url, json={"to_level": "N1", "reason": "Supervisor decidiu"})
    assert by_supervisor.status_code == 201
    assert [e.direction for e in await escalations(seeded, conversation_id)] == ["up", "down", "up", "down"]


async def test_reassignment_respects_capacity_and_alerts_when_nobody_can_take_it(
    seeded: Runtime, atendimento: httpx.AsyncClient, make_agent: MakeAgent
) -> None:
    freeze_at(OPEN_INSTANT)
    supervisor = await make_agent(Role.supervisor)
    n1 = await make_agent(Role.agent, SupportLevel.n1)
    full = await make_agent(Role.agent, SupportLevel.n2, capacity=1)
    first = await message(atendimento, phone="5511911110001")
    await supervisor.post(f"/api/conversations/{first}/escalate", json={"reason": "Primeira"})
    assert (await conversation(seeded, first)).assignee_id == full.agent_id

    # The only N2 agent is at capacity: the second waits unassigned in N2's queue, supervisors alerted.
    second = await message(atendimento, phone="5511911110002")
    assert (await conversation(seeded, second)).assignee_id == n1.agent_id
    done = await supervisor.post(f"/api/conversations/{second}/escalate", json={"reason": "Segunda"})
    assert done.json()["assignee_after_id"] is None
    waiting = await conversation(seeded, second)
    assert (waiting.level, waiting.assignee_id) == ("N2", None)
    raised = await alerts(seeded, "escalation_unassigned")
    assert [a.conversation_id for a in raised] == [second]

    spare = await make_agent(Role.agent, SupportLevel.n2, capacity=5)
    third = await message(atendimento, phone="5511911110003")
    await supervisor.post(f"/api/conversations/{third}/escalate", json={"reason": "Terceira"})
    assert (await conversation(seeded, third)).assignee_id == spare.agent_id
    assert len(await alerts(seeded, "escalation_unassigned")) == 1


async def test_a_resolved_conversation_does_not_change_level(
    seeded: Runtime, atendimento: httpx.AsyncClient, make_agent: MakeAgent
) -> None:
    freeze_at(OPEN_INSTANT)
    supervisor = await make_agent(Role.supervisor)
    conversation_id = await message(atendimento, phone="5511911121003")
    await supervisor.patch(f"/api/conversations/{conversation_id}", json={"status": "resolved"})
    refused = await supervisor.post(
        f"/api/conversations/{conversation_id}/escalate", json={"reason": "Tarde"}
    )
    assert refused.status_code == 409
    assert await escalations(seeded, conversation_id) == []
