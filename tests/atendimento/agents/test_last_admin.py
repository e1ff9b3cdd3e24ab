"""There is always an active administrator: the last one cannot be demoted or deactivated — not by
themself, not by anyone (the API, the service; the Equipe page: web/test_team_pages.py) — with a
clear pt-BR message."""

from __future__ import annotations

import pytest

from carinho.atendimento.agents.models import Agent, Role
from carinho.atendimento.agents.service import agent_service
from carinho.errors import Conflict
from carinho.runtime import Runtime
from tests.atendimento.conftest import MakeAgent

LAST_ADMIN = "É preciso manter pelo menos um administrador ativo"


async def test_the_last_administrator_stays_one(rt: Runtime, make_agent: MakeAgent) -> None:
    admin = await make_agent(Role.admin)
    for change in ({"role": "supervisor"}, {"active": False}):
        refused = await admin.patch(f"/api/agents/{admin.agent_id}", json=change)
        assert refused.status_code == 409, refused.text
        assert refused.json()["message"].startswith(LAST_ADMIN)

    other = await make_agent(Role.admin)
    own = await admin.patch(f"/api/agents/{admin.agent_id}", json={"active": False})
    assert own.status_code == 400 and "própria conta" in own.json()["message"]
    demoted = await other.patch(f"/api/agents/{admin.agent_id}", json={"role": "supervisor"})
    assert demoted.status_code == 200, demoted.text

    # `other` is now the last: nobody — the API's caller or the service with no actor (the CLI) —
    # can take it away.
    assert (await other.patch(f"/api/agents/{other.agent_id}", json={"active": False})).status_code == 409
    async with rt.db("atendimento").session() as session:
        last = await session.get(Agent, other.agent_id)
        assert last is not None
        with pytest.raises(Conflict, match=LAST_ADMIN):
            await agent_service.update(session, last, role=Role.agent)
