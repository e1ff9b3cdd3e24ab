"""The cost of the Funil and Satisfação pages (issue 17's benchmark, docs/benchmarks.md): the same
statements for few or more leads, the board and the report through indexes (migration 0013) on
SQLite and PostgreSQL, and the surveys of the period read once per Satisfação page."""

from __future__ import annotations

from typing import Any

import httpx

from carinho.atendimento.agents.models import Role
from carinho.runtime import Runtime
from tests.atendimento.web.conftest import MakePerson, Person
from tests.atendimento.web.inbox_support import customer
from tests.atendimento.web.test_inbox_query_cost import QueryLog

FUNNEL = "/supervisao/funil?de=2026-09-03&ate=2026-12-01"
SATISFACTION = "/supervisao/satisfacao?de=2026-09-03&ate=2026-12-01&serie=semana&por=atendente"


async def _statements(rt: Runtime, person: Person, url: str) -> list[tuple[str, Any]]:
    with QueryLog(rt) as log:
        response = await person.page(url)
    assert response.status_code == 200, response.text
    return log.selects


async def _plan(rt: Runtime, sql: str, params: Any) -> str:
    database = rt.db("atendimento")
    async with database.engine.connect() as connection:
        if database.backend == "sqlite":
            rows = await connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}", params)
            return "\n".join(str(row[-1]) for row in rows)
        # A table of a few rows (and the statistics of a table emptied between tests) is no guide to
        # the planner: the indexes must be able to answer, reading and ordering. With sorts priced
        # out, a Sort left in the plan is one no index can spare.
        await connection.exec_driver_sql("SET enable_seqscan = off")
        await connection.exec_driver_sql("SET enable_sort = off")
        rows = await connection.exec_driver_sql(f"EXPLAIN {sql}", params)
        plan = "\n".join(str(row[0]) for row in rows)
        await connection.exec_driver_sql("RESET enable_sort")
        await connection.exec_driver_sql("RESET enable_seqscan")
        return plan


async def test_the_funnel_page_costs_the_same_statements_for_more_leads_through_indexes(
    seeded: Runtime, make_person: MakePerson, atendimento: httpx.AsyncClient
) -> None:
    boss = await make_person(Role.supervisor)
    for n in range(2):
        await customer(atendimento, f"55119300{n:05d}")
    few = await _statements(seeded, boss, FUNNEL)
    for n in range(2, 12):
        await customer(atendimento, f"55119300{n:05d}")
    more = await _statements(seeded, boss, FUNNEL)
    assert len(more) == len(few)

    backend = seeded.db("atendimento").backend
    if backend not in ("sqlite", "postgresql"):
        return  # the plans checked are SQLite's and PostgreSQL's
    checked = 0
    for sql, params in more:
        if "FROM conversations" not in sql and "FROM funnel_transitions" not in sql:
            continue
        plan = await _plan(seeded, sql, params)
        if backend == "sqlite":
            assert "SCAN conversations\n" not in plan + "\n", (sql, plan)
            assert "SCAN funnel_transitions\n" not in plan + "\n", (sql, plan)
            assert "TEMP B-TREE FOR ORDER BY" not in plan, (sql, plan)  # a column's 20 in index order
            if "FROM funnel_transitions" in sql:
                assert "COVERING INDEX" in plan, (sql, plan)  # the counts never read the table
        else:
            assert "Seq Scan" not in plan, (sql, plan)
            if "ORDER BY conversations.last_activity_at" in sql:
                assert "ix_conversations_funnel_stage_activity" in plan and "Sort" not in plan, (sql, plan)
            if "FROM funnel_transitions" in sql:
                assert "Index Only Scan" in plan, (sql, plan)
        checked += 1
    assert checked >= 8  # the stage counts, seven columns, new leads, the steps and the losses


async def test_the_satisfaction_page_reads_the_periods_surveys_once(
    seeded: Runtime, make_person: MakePerson
) -> None:
    boss = await make_person(Role.supervisor)
    statements = await _statements(seeded, boss, SATISFACTION)
    period_reads = [
        sql for sql, _ in statements if "FROM satisfaction_surveys" in sql and "sent_at >=" in sql
    ]
    # NPS of the period, its series per week and the breakdown per agent: one read for the three.
    assert len(period_reads) == 1, period_reads
