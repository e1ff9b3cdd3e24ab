"""An escalation's reason is free text about the person: exported, erased and expired with them."""

from __future__ import annotations

from datetime import timedelta

import httpx

from carinho.atendimento.agents.models import Role
from carinho.atendimento.escalation.privacy import SCRUBBED
from carinho.atendimento.retention import registry
from carinho.kit.clock import utcnow
from carinho.runtime import Runtime
from tests.atendimento.conftest import OPEN_INSTANT, MakeAgent, freeze_at
from tests.atendimento.escalation.helpers import conversation, escalations, message


async def test_reasons_are_exported_and_erased_with_the_contact(
    seeded: Runtime, atendimento: httpx.AsyncClient, make_agent: MakeAgent
) -> None:
    freeze_at(OPEN_INSTANT)
    supervisor = await make_agent(Role.supervisor)
    mine = await message(atendimento, phone="5511911121001")
    other = await message(atendimento, phone="5511911121002")
    for conversation_id in (mine, other):
        await supervisor.post(
            f"/api/conversations/{conversation_id}/escalate", json={"reason": "Dona Ana caiu ontem"}
        )
    contact_id = (await conversation(seeded, mine)).contact_id
    [source] = [s for s in registry.sources() if s.name == "escalations"]

    async with seeded.db("atendimento").session() as session:
        exported = await source.export(session, [contact_id])
        assert [(e["conversation_id"], e["reason"]) for e in exported] == [(mine, "Dona Ana caiu ontem")]
        assert await source.erase(session, [contact_id]) == 1
        assert await source.erase(session, [contact_id]) == 0
        await session.commit()
    assert (await escalations(seeded, mine))[0].reason == SCRUBBED
    assert (await escalations(seeded, other))[0].reason == "Dona Ana caiu ontem"

    async with seeded.db("atendimento").session() as session:
        assert await source.anonymise_before(session, "message_text", utcnow() + timedelta(days=1)) == 0
        assert await source.anonymise_before(session, "audit_trail", utcnow() - timedelta(days=1)) == 0
        assert await source.anonymise_before(session, "audit_trail", utcnow() + timedelta(days=1)) == 1
        await session.commit()
    assert (await escalations(seeded, other))[0].reason == SCRUBBED
