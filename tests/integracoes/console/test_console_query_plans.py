"""The console's overview, event searches and DLQ list read through indexes (SQLite's plans, which
need no data: SQLite plans without statistics, as in production). Issue 16 holds these pages to
p95 ≤ 100 ms over a million events (bench/run_console.py): a statement that walks a whole table or
index of events, steps or dead letters — even in index order, `SCAN … USING INDEX` — would not, nor
a list (newest first, LIMIT n) that sorts every match before keeping n: `TEMP B-TREE FOR ORDER BY`
over the 850,000 processed events took seconds."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import event

from carinho.runtime import Runtime
from tests.integracoes.console.conftest import MakeOperator

BIG_TABLES = ("integration_events", "integration_event_steps", "dead_letters")
PAGES = (
    "/painel",
    "/painel/atualizar",
    "/eventos?tipo=payment.received",
    "/eventos?situacao=processed",
    "/eventos?tipo=lead.created&situacao=dead",
    "/eventos?situacao=dead&de=2026-10-01&ate=2026-10-07",
    "/eventos?origem=zapi&situacao=failed",
    "/eventos?origem=crm",
    "/eventos?de=2026-10-01&ate=2026-10-07",
    "/eventos?tipo=lead.created&de=2026-10-01",
    "/eventos?chave=lead-123",
    "/eventos?contato=11987654321",
    "/eventos?contato=maria%40example.com",
    "/dlq",
    "/dlq?destino=crm",
    "/dlq?tipo=lead.created",
)


async def test_the_console_pages_never_walk_a_big_table(rt: Runtime, make_operator: MakeOperator) -> None:
    db = rt.db("integracoes")
    if db.backend != "sqlite":
        pytest.skip("the plans checked are SQLite's (PostgreSQL's depend on its statistics)")
    viewer = await make_operator()
    statements: list[tuple[str, str, Any]] = []
    page = ""

    def record(conn: Any, cursor: Any, sql: str, params: Any, context: Any, many: bool) -> None:
        if sql.lstrip().upper().startswith("SELECT") and any(t in sql for t in BIG_TABLES):
            statements.append((page, sql, params))

    event.listen(db.engine.sync_engine, "before_cursor_execute", record)
    try:
        for page in PAGES:
            answer = await viewer.page(page)
            assert answer.status_code == 200, (page, answer.text[:300])
    finally:
        event.remove(db.engine.sync_engine, "before_cursor_execute", record)
    assert {p for p, _, _ in statements} == set(PAGES)
    walks = []
    async with db.engine.connect() as connection:
        for page, sql, params in statements:
            plan = (await connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}", params)).all()
            details = [str(row[-1]) for row in plan]
            walk = any(d.startswith(f"SCAN {table}") for d in details for table in BIG_TABLES)
            sort = "LIMIT" in sql and any("TEMP B-TREE FOR ORDER BY" in d for d in details)
            if walk or sort:
                walks.append((page, " ".join(sql.split())[:300], details))
    assert not walks, walks
