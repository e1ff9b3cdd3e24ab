"""The search in message texts: the same conversations on every database, and on PostgreSQL the
form its trigram index answers (migration 0012)."""

from __future__ import annotations

import httpx
from sqlalchemy import select, text

from carinho.atendimento.agents.models import Role
from carinho.atendimento.inbox.models import Conversation
from carinho.atendimento.inbox.text_search import message_text_match
from carinho.runtime import Runtime
from tests.atendimento.conftest import OPEN_INSTANT, MakeAgent, freeze_at, post_webhook, received


async def test_a_word_of_a_message_finds_its_conversation_and_only_it(
    seeded: Runtime, atendimento: httpx.AsyncClient, make_agent: MakeAgent
) -> None:
    freeze_at(OPEN_INSTANT)
    await make_agent(Role.supervisor)
    found = []
    for n, words in enumerate(("Preciso de FISIOTERAPIA em casa", "Quanto custa o plantão 100%?", "Bom dia")):
        response = await post_webhook(atendimento, received(f"TS-{n}", phone=f"551193333000{n}", text=words))
        assert response.status_code == 200, response.text
        found.append(response.json()["conversation_id"])
    async with seeded.db("atendimento").session() as session:

        async def matching(term: str) -> list[int]:
            stmt = select(Conversation.id).where(message_text_match(term)).order_by(Conversation.id)
            return list((await session.execute(stmt)).scalars())

        assert await matching("fisioterapia") == [found[0]]  # case-insensitive, inside a sentence
        assert await matching("100%") == [found[1]]  # % and _ are the user's, not wildcards
        assert await matching("_") == []
        assert await matching("xyz") == []


async def test_postgresql_answers_it_from_the_trigram_index(seeded: Runtime) -> None:
    if seeded.db("atendimento").backend != "postgresql":
        return  # SQLite and MariaDB read each conversation's messages through its own index
    stmt = select(Conversation.id).where(message_text_match("cuidadora"))
    async with seeded.db("atendimento").session() as session:
        connection = await session.connection()
        compiled = stmt.compile(dialect=connection.dialect, compile_kwargs={"literal_binds": True})
        # a small table is no guide to the planner: only the trigram index may read messages
        await session.execute(text("SET LOCAL enable_seqscan = off"))
        await session.execute(text("SET LOCAL enable_indexscan = off"))
        plan = "\n".join(r[0] for r in await session.execute(text(f"EXPLAIN {compiled}")))
    assert "ix_messages_content_trgm" in plan, plan
