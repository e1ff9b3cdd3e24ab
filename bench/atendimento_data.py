"""A realistic contact-center workload for the atendimento benchmarks, bulk-loaded with Core inserts
into a migrated database (SQLite or PostgreSQL).

    data = await build(url, conversations=10_000, messages=200_000)

What it holds, by default: 34 agents (N1/N2/N3 attendants, supervisors, an administrator; two of
them, `data.attendant` and `data.supervisor`, with a known password to log in), ~8,700 contacts with
Brazilian names and phones, 10,000 conversations over 90 days (~4.5 % active: open, pending or
waiting for the customer, two thirds of them assigned; the rest resolved or closed), every priority,
level and funnel stage (lost ones with a loss reason), labels, SLA states and targets (no prazo, em
risco, violado, cumprido) with their breaches, escalations, triage sessions, the audit trail, and
200,000 messages in Portuguese: texts, media, automatic and template messages, internal notes, and
~1 % of the outbound sends failed with a reason. One active conversation of the attendant holds
`long_history` messages (`data.long_conversation_id`), another about the median number
(`data.typical_conversation_id`).

Deterministic for a given `seed`. Uses `seed_defaults` for what an installation starts with
(templates, labels, loss reasons, SLA policies, the triage checklist). Reused by the workspace
benchmark (`bench/run_inbox.py`) and meant for the supervisors' screens too.
"""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.engine import make_url

from bench.atendimento_related import related_rows
from bench.atendimento_rows import (
    Generator,
    Loader,
    agent_rows,
    contact_rows,
    conversation_row,
    message_rows,
    plan_conversations,
)
from bench.atendimento_surveys import survey_rows
from bench.atendimento_texts import (
    AGENT_NAMES,
    EXTRA_LABELS,
)
from carinho.atendimento import models as m
from carinho.atendimento.agents.models import Role, SupportLevel
from carinho.atendimento.agents.service import agent_service
from carinho.atendimento.escalation.models import Escalation
from carinho.atendimento.satisfaction.models import Followup, Survey
from carinho.atendimento.seed import seed_defaults
from carinho.atendimento.sla.models import ConversationSla, SlaBreach, SlaPolicy, SlaTarget
from carinho.kit import migrations
from carinho.kit.db import Database

POSTGRES_SERVER = "postgresql+asyncpg://postgres@127.0.0.1:5432"
PASSWORD = "bench-senha-forte-14"  # the two bench logins of a throwaway database


@dataclass(frozen=True)
class Login:
    agent_id: int
    name: str
    email: str
    password: str
    role: str
    level: str


@dataclass
class DataSet:
    url: str
    attendant: Login  # N1; holds ~10 active conversations, the long one among them
    supervisor: Login
    long_conversation_id: int
    # Another active conversation of the attendant, with about the median number of messages.
    typical_conversation_id: int
    counts: dict[str, int]
    # Search terms that match: part of a contact's name, phone digits, a word of the messages.
    terms: dict[str, str]
    seconds: float = 0.0


# ---------------------------------------------------------------------------------------- databases


@contextlib.asynccontextmanager
async def temporary_database(backend: str, workdir: str) -> AsyncIterator[str]:
    """An empty database for a run: a file under `workdir` (SQLite) or a new database on the local
    PostgreSQL server (trust auth), dropped afterwards."""
    if backend == "sqlite":
        yield f"sqlite+aiosqlite:///{workdir}/atendimento.sqlite3"
        return
    if backend != "postgresql":
        raise ValueError(f"unsupported backend {backend!r}")
    from sqlalchemy.ext.asyncio import create_async_engine

    name = f"bench_atendimento_{uuid.uuid4().hex[:8]}"
    admin = create_async_engine(f"{POSTGRES_SERVER}/postgres", isolation_level="AUTOCOMMIT")
    try:
        async with admin.connect() as conn:
            await conn.execute(text(f"CREATE DATABASE {name}"))
        yield f"{POSTGRES_SERVER}/{name}"
    finally:
        async with admin.connect() as conn:
            await conn.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        await admin.dispose()


# ---------------------------------------------------------------------------------------- loading

_SEQUENCED = [
    "agents",
    "labels",
    "contacts",
    "conversations",
    "messages",
    "history_entries",
    "sla_conversations",
    "sla_targets",
    "sla_breaches",
    "funnel_transitions",
    "escalations",
    "triage_sessions",
    "triage_answers",
    "satisfaction_surveys",
    "satisfaction_followups",
]


async def _references(database: Database, now: datetime) -> tuple[dict[str, Any], Login, Login]:
    """Seeds the defaults, creates the two logins and reads what the rows refer to."""
    async with database.session() as session:
        await seed_defaults(session)
        attendant, _ = await agent_service.create(
            session,
            name=AGENT_NAMES[0],
            email="atendente@carinho.bench",
            role=Role.agent,
            level=SupportLevel.n1,
            capacity=10,
            password=PASSWORD,
        )
        supervisor, _ = await agent_service.create(
            session,
            name=AGENT_NAMES[-4],
            email="supervisora@carinho.bench",
            role=Role.supervisor,
            level=SupportLevel.n2,
            capacity=10,
            password=PASSWORD,
        )
        await session.commit()
        refs: dict[str, Any] = {"attendant": attendant.id}
        refs["max_ids"] = {
            name: int((await session.execute(text(f"SELECT COALESCE(MAX(id), 0) FROM {name}"))).scalar_one())
            for name in _SEQUENCED
        }
        refs["loss_reasons"] = list((await session.execute(select(m.LossReason.id))).scalars())
        rows = await session.execute(select(m.MessageTemplate.id, m.MessageTemplate.key))
        refs["templates"] = {key: id_ for id_, key in rows}
        refs["policies"] = {
            p.priority: {
                "first_response_minutes": p.first_response_minutes,
                "next_response_minutes": p.next_response_minutes,
                "resolution_minutes": p.resolution_minutes,
                "at_risk_percent": p.at_risk_percent,
            }
            for p in (await session.execute(select(SlaPolicy))).scalars()
        }
        checklist = (
            await session.execute(select(m.TriageChecklist).where(m.TriageChecklist.current.is_(True)))
        ).scalar_one()
        refs["checklist"] = checklist.id
        questions = await session.execute(
            select(m.TriageQuestion)
            .where(m.TriageQuestion.checklist_id == checklist.id)
            .order_by(m.TriageQuestion.position)
        )
        refs["questions"] = [
            {"id": q.id, "code": q.code, "qtype": q.qtype, "options": list(q.options)}
            for q in questions.scalars()
        ]
    logins = (Login(a.id, a.name, a.email, PASSWORD, a.role, a.level) for a in (attendant, supervisor))
    return refs, next(logins), next(logins)


async def _fix_sequences(database: Database) -> None:
    """PostgreSQL: the rows came with their ids; move each table's sequence past them."""
    if database.backend != "postgresql":
        return
    async with database.engine.begin() as conn:
        for name in _SEQUENCED:
            await conn.execute(
                text(f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), (SELECT MAX(id) FROM {name}))")
            )


async def _settle(database: Database, analyze: bool) -> None:
    """After the load: SQLite's write-ahead log folded into the file (readers then find every page
    there); statistics gathered where asked (PostgreSQL's autovacuum would within a minute)."""
    if database.backend == "sqlite":
        await database.dispose()
        path = make_url(database.url).database
        db = sqlite3.connect(str(path))
        try:
            if analyze:
                db.execute("ANALYZE")
            db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            db.close()
    elif analyze:
        async with database.engine.connect() as conn:
            conn = await conn.execution_options(isolation_level="AUTOCOMMIT")
            await conn.execute(text("ANALYZE"))


async def build(
    url: str,
    *,
    conversations: int = 10_000,
    messages: int = 200_000,
    long_history: int = 1_000,
    seed: int = 14,
    analyze: bool | None = None,
    surveys: bool = False,
) -> DataSet:
    """Migrates the empty database at `url` and loads the data set. `analyze`: gather the planner's
    statistics afterwards (default: on PostgreSQL, whose autovacuum does it in production; not on
    SQLite, where nothing runs ANALYZE). `surveys`: the satisfaction surveys of the finished
    conversations and the detractors' follow-ups too (the supervisors' screens, issue 17)."""
    started = time.perf_counter()
    await asyncio.to_thread(migrations.upgrade, "atendimento", url)
    database = Database(url)
    try:
        now = datetime.now(UTC)
        refs, attendant, supervisor = await _references(database, now)
        gen = Generator(seed, now)
        loader = Loader(database, gen, refs)
        team = agent_rows(gen, refs["max_ids"]["agents"] + 1, now)
        loader.ids["agents"] = team[-1]["id"]
        await loader.insert(m.Agent.__table__, team)
        refs["attendants"] = {
            level: [a["id"] for a in team if a["role"] == "agent" and a["level"] == level]
            for level in ("N1", "N2", "N3")
        }
        refs["attendants"]["N1"].append(attendant.agent_id)
        refs["agent_names"] = {a["id"]: a["name"] for a in team}
        refs["agent_names"].update({attendant.agent_id: attendant.name, supervisor.agent_id: supervisor.name})
        extra = [
            {
                "id": refs["max_ids"]["labels"] + i + 1,
                "name": name,
                "color": color,
                "description": "",
                "created_at": now,
                "updated_at": now,
            }
            for i, (name, color) in enumerate(EXTRA_LABELS)
        ]
        await loader.insert(m.Label.__table__, extra)
        async with database.session() as session:
            refs["labels"] = list((await session.execute(select(m.Label.id))).scalars())

        convs = plan_conversations(gen, conversations, messages, long_history, refs)
        contacts = contact_rows(gen, convs, loader)
        refs["contact_names"] = {c["id"]: c["name"] for c in contacts}
        await loader.insert(m.Contact.__table__, contacts)
        rows = [conversation_row(gen, conv, refs) for conv in convs]
        await loader.insert(m.Conversation.__table__, rows)
        long_id = next(
            c.id for c in convs if len(c.timeline) == long_history and c.assignee == attendant.agent_id
        )
        median = sorted(len(c.timeline) for c in convs)[len(convs) // 2]
        typical_id = min(
            (c for c in convs if c.assignee == attendant.agent_id and c.status == "open" and c.id != long_id),
            key=lambda c: abs(len(c.timeline) - median),
        ).id

        def all_messages() -> Iterator[dict[str, Any]]:
            for conv, row in zip(convs, rows, strict=True):
                yield from message_rows(gen, conv, row, loader, refs)

        await loader.insert(m.Message.__table__, all_messages())
        related: dict[str, list[dict[str, Any]]] = {
            name: []
            for name in (
                "history_entries",
                "conversation_labels",
                "funnel_transitions",
                "escalations",
                "triage_sessions",
                "triage_answers",
                "sla_conversations",
                "sla_targets",
                "sla_breaches",
            )
        }
        for conv, row in zip(convs, rows, strict=True):
            related_rows(gen, conv, row, loader, refs, related)
        tables = {
            "history_entries": m.HistoryEntry.__table__,
            "conversation_labels": m.conversation_labels,
            "funnel_transitions": m.FunnelTransition.__table__,
            "escalations": Escalation.__table__,
            "triage_sessions": m.TriageSession.__table__,
            "triage_answers": m.TriageAnswer.__table__,
            "sla_conversations": ConversationSla.__table__,
            "sla_targets": SlaTarget.__table__,
            "sla_breaches": SlaBreach.__table__,
        }
        for name, table in tables.items():
            await loader.insert(table, related[name])
        if surveys:
            async with database.session() as session:
                label_rows = await session.execute(select(m.Label.id, m.Label.name))
                label_names = {id_: name for id_, name in label_rows}
            survey, followups = survey_rows(
                seed, now, convs, related["conversation_labels"], label_names, supervisor.agent_id, loader
            )
            await loader.insert(Survey.__table__, survey)
            await loader.insert(Followup.__table__, followups)
        await _fix_sequences(database)
        await _settle(database, database.backend == "postgresql" if analyze is None else analyze)
        counts = dict(loader.counts)
        counts["active_conversations"] = sum(1 for r in rows if r["active_contact_id"] is not None)
        async with database.session() as session:
            counts["failed_sends"] = int(
                (
                    await session.execute(
                        text("SELECT COUNT(*) FROM messages WHERE delivery_status = 'failed'")
                    )
                ).scalar_one()
            )
        named = next(c for c in contacts if c["name"] and c["name"].split()[-1] == "Guimarães")
        return DataSet(
            url=url,
            attendant=attendant,
            supervisor=supervisor,
            long_conversation_id=long_id,
            typical_conversation_id=typical_id,
            counts=counts,
            terms={"name": "Guimarães", "phone": named["phone"][-8:-3], "message": "fisioterapia"},
            seconds=time.perf_counter() - started,
        )
    finally:
        await database.dispose()
