"""The cost of an inbox page: the same number of queries for 3 or 53 conversations, each through
indexes (SQLite's plans)."""

from __future__ import annotations

from typing import Any

import httpx
from sqlalchemy import event

from carinho.atendimento.agents.models import Role, SupportLevel
from carinho.runtime import Runtime
from tests.atendimento.conftest import Api
from tests.atendimento.web.conftest import MakePerson, Person
from tests.atendimento.web.inbox_support import (
    assign,
    customer,
    listed,
)

# ---------------------------------------------------------------- cost of a page


class QueryLog:
    """The SELECTs an engine ran (SQLAlchemy cursor events)."""

    def __init__(self, rt: Runtime) -> None:
        self.engine = rt.db("atendimento").engine.sync_engine
        self.statements: list[tuple[str, Any]] = []

    def __enter__(self) -> QueryLog:
        event.listen(self.engine, "before_cursor_execute", self._record)
        return self

    def __exit__(self, *_: object) -> None:
        event.remove(self.engine, "before_cursor_execute", self._record)

    def _record(self, conn: Any, cursor: Any, sql: str, params: Any, context: Any, many: bool) -> None:
        self.statements.append((sql, params))

    @property
    def selects(self) -> list[tuple[str, Any]]:
        return [(sql, p) for sql, p in self.statements if sql.lstrip().upper().startswith(("SELECT", "WITH"))]


async def test_a_page_costs_the_same_queries_for_3_or_53_conversations_through_indexes(
    seeded: Runtime, make_person: MakePerson, atendimento: httpx.AsyncClient, supervisor: Api
) -> None:
    boss = await make_person(Role.supervisor)
    ana = await make_person(Role.agent, SupportLevel.n1)
    labels = [item["id"] for item in (await supervisor.get("/api/labels")).json()]
    for n in range(3):
        conversation = await customer(atendimento, f"55119200{n:05d}")
        await supervisor.post(f"/api/conversations/{conversation}/labels", json={"label_id": labels[0]})
        await assign(supervisor, conversation, ana.agent_id)

    async def cost(person: Person, query: str) -> list[tuple[str, Any]]:
        with QueryLog(seeded) as log:
            await listed(person, query)
        return log.selects

    small = [len(await cost(p, "aba=todas")) for p in (boss, ana)]
    for n in range(3, 53):
        conversation = await customer(atendimento, f"55119200{n:05d}")
        await supervisor.post(f"/api/conversations/{conversation}/labels", json={"label_id": labels[n % 3]})
        await assign(supervisor, conversation, ana.agent_id)
    large = [len(await cost(p, "aba=todas")) for p in (boss, ana)]
    assert large == small  # no query per row: labels, previews and unread counts come in one each
    first = await cost(ana, f"aba=todas&aberta={conversation}")
    assert len(first) <= small[1] + 3  # marking the open conversation read: a few more, not per row

    if seeded.db("atendimento").backend != "sqlite":
        return  # the plans checked are SQLite's
    statements = [
        *first,
        *await cost(boss, "aba=todas&status=todas&busca=maria&sla=no-prazo&prioridade=alta"),
        *await cost(ana, f"aba=nao-atribuidas&etiqueta={labels[0]}&etapa=novo"),
        *await cost(boss, "aba=todas&status=todas&busca=maria"),
        *await cost(boss, "aba=minhas&status=resolvidas"),
    ]
    tables = (
        "conversations",
        "messages",
        "sla_targets",
        "sla_conversations",
        "contacts",
        "conversation_labels",
    )
    engine = seeded.db("atendimento").engine
    async with engine.connect() as connection:
        for sql, params in statements:
            if not any(t in sql for t in tables):
                continue
            plan = (await connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}", params)).all()
            details = [str(item[-1]) for item in plan]
            scans = [
                d for d in details if d.startswith(tuple(f"SCAN {t}" for t in tables)) and "INDEX" not in d
            ]
            assert not scans, (sql, details)
