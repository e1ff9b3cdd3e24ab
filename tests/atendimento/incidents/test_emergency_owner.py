"""An emergency is never unowned: an available N3 takes it at once, else a supervisor on duty; when
nobody can, every supervisor is alerted (by e-mail too) again and again until someone takes it. It is
first in the inbox and in the live metrics."""

from __future__ import annotations

from datetime import timedelta

import httpx
from sqlalchemy import select

from carinho.atendimento.agents.models import Role, SupportLevel
from carinho.atendimento.inbox.models import Alert, Conversation
from carinho.atendimento.incidents.ownership import REPEAT_EVERY
from carinho.kit import clock
from carinho.runtime import Runtime
from tests.atendimento.conftest import (
    OPEN_INSTANT,
    Api,
    MakeAgent,
    Simulators,
    freeze_at,
    post_webhook,
    received,
)
from tests.support.jobs import drain

EMERGENCY = "Socorro, minha mãe caiu e não está respondendo"


async def emergency(atendimento: httpx.AsyncClient, message_id: str, phone: str) -> int:
    freeze_at(OPEN_INSTANT)
    response = await post_webhook(atendimento, received(message_id, phone=phone, text=EMERGENCY))
    assert response.status_code == 200, response.text
    return int(response.json()["conversation_id"])


async def assignee(rt: Runtime, conversation_id: int) -> int | None:
    async with rt.db("atendimento").session() as session:
        conversation = await session.get(Conversation, conversation_id)
        assert conversation is not None
        return conversation.assignee_id


async def unowned_alerts(rt: Runtime) -> list[Alert]:
    async with rt.db("atendimento").session() as session:
        stmt = select(Alert).where(Alert.kind == "emergency_unowned").order_by(Alert.id)
        return list((await session.execute(stmt)).scalars())


async def on_break(agent: Api) -> None:
    response = await agent.post("/api/auth/me/availability", json={"available": False})
    assert response.status_code == 200, response.text


async def test_an_available_n3_takes_it_even_at_capacity(
    seeded: Runtime, atendimento: httpx.AsyncClient, make_agent: MakeAgent
) -> None:
    busy = await make_agent(Role.agent, SupportLevel.n3, capacity=1)
    first = await emergency(atendimento, "O1", "5511911210001")
    assert await assignee(seeded, first) == busy.agent_id
    second = await emergency(atendimento, "O2", "5511911210002")  # the only N3 is at capacity: still hers
    assert await assignee(seeded, second) == busy.agent_id
    assert await unowned_alerts(seeded) == []


async def test_without_an_n3_on_duty_a_supervisor_on_duty_takes_it(
    seeded: Runtime, atendimento: httpx.AsyncClient, make_agent: MakeAgent
) -> None:
    n3 = await make_agent(Role.agent, SupportLevel.n3)
    await on_break(n3)
    away = await make_agent(Role.supervisor, name="Bruno")
    await on_break(away)
    sandra = await make_agent(Role.supervisor, name="Sandra")
    conversation_id = await emergency(atendimento, "S1", "5511911220001")
    assert await assignee(seeded, conversation_id) == sandra.agent_id
    conversation = (await sandra.get(f"/api/conversations/{conversation_id}")).json()
    assert (conversation["priority"], conversation["level"]) == ("urgent", "N3")
    assert await unowned_alerts(seeded) == []


async def test_when_nobody_can_take_it_every_supervisor_is_alerted_until_someone_does(
    simulators: Simulators, atendimento: httpx.AsyncClient, make_agent: MakeAgent
) -> None:
    rt = simulators.rt
    sandra = await make_agent(Role.supervisor, name="Sandra")
    bruno = await make_agent(Role.supervisor, name="Bruno")
    await on_break(sandra)
    await on_break(bruno)
    conversation_id = await emergency(atendimento, "U1", "5511911230001")
    assert await assignee(rt, conversation_id) is None
    [first] = await unowned_alerts(rt)
    assert first.severity == "critical" and first.conversation_id == conversation_id
    await drain(rt, ("atendimento",))
    subject = f"Alerta: Emergência sem responsável na conversa {conversation_id}"
    assert sum(subject in (m.subject or "") for m in simulators.mails()) == 2  # both supervisors

    for rounds in (2, 3):  # it repeats
        clock.advance(REPEAT_EVERY + timedelta(seconds=1))
        await drain(rt, ("atendimento",))
        assert len(await unowned_alerts(rt)) == rounds
        assert await assignee(rt, conversation_id) is None
    assert sum(subject in (m.subject or "") for m in simulators.mails()) == 6

    # Sandra comes back from her break: the next round gives her the emergency, and it stops.
    response = await sandra.post("/api/auth/me/availability", json={"available": True})
    assert response.status_code == 200
    clock.advance(REPEAT_EVERY + timedelta(seconds=1))
    await drain(rt, ("atendimento",))
    assert await assignee(rt, conversation_id) == sandra.agent_id
    clock.advance(REPEAT_EVERY * 3)
    await drain(rt, ("atendimento",))
    assert len(await unowned_alerts(rt)) == 3


async def test_whoever_acknowledges_an_unowned_emergency_owns_it(
    seeded: Runtime, atendimento: httpx.AsyncClient, make_agent: MakeAgent
) -> None:
    sandra = await make_agent(Role.supervisor, name="Sandra")
    await on_break(sandra)
    conversation_id = await emergency(atendimento, "A1", "5511911240001")
    assert await assignee(seeded, conversation_id) is None
    [incident] = (await sandra.get(f"/api/conversations/{conversation_id}/incidents")).json()
    assert (await sandra.post(f"/api/incidents/{incident['id']}/acknowledge")).status_code == 200
    assert await assignee(seeded, conversation_id) == sandra.agent_id
    clock.advance(REPEAT_EVERY * 2)
    await drain(seeded, ("atendimento",))
    assert len(await unowned_alerts(seeded)) == 1  # the first one only: she took it


async def test_an_owner_who_lets_it_go_hands_it_to_someone_else_on_duty(
    seeded: Runtime, atendimento: httpx.AsyncClient, make_agent: MakeAgent
) -> None:
    ana = await make_agent(Role.agent, SupportLevel.n3, name="Ana")
    conversation_id = await emergency(atendimento, "L1", "5511911250001")
    assert await assignee(seeded, conversation_id) == ana.agent_id
    sandra = await make_agent(Role.supervisor, name="Sandra")
    released = await ana.post(f"/api/conversations/{conversation_id}/assign", json={"agent_id": None})
    assert released.status_code == 200, released.text
    assert await assignee(seeded, conversation_id) == sandra.agent_id


async def test_the_emergency_is_first_in_the_inbox_and_in_the_live_metrics(
    seeded: Runtime, atendimento: httpx.AsyncClient, make_agent: MakeAgent
) -> None:
    sandra = await make_agent(Role.supervisor, name="Sandra")
    await on_break(sandra)
    urgent = await emergency(atendimento, "F1", "5511911260001")
    clock.advance(timedelta(minutes=5))
    later = await post_webhook(atendimento, received("F2", phone="5511911260002", text="Olá, bom dia"))
    calm = int(later.json()["conversation_id"])
    listed = [c["id"] for c in (await sandra.get("/api/conversations")).json()]
    assert listed[:2] == [urgent, calm]  # the older emergency before the newer conversation

    live = (await sandra.get("/api/metrics/live")).json()["incidents"]
    assert live["emergencies_unowned"] == 1
    [shown] = live["emergencies"]
    assert (shown["conversation_id"], shown["unowned"], shown["acknowledged"]) == (urgent, True, False)
