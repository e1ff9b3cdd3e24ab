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
import heapq
import itertools
import random
import sqlite3
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Table, insert, select, text
from sqlalchemy.engine import make_url

from bench.atendimento_texts import (
    AGENT,
    AGENT_NAMES,
    AREA_CODES,
    CONDITIONS,
    CUSTOMER,
    ESCALATION_REASONS,
    EXTRA_LABELS,
    FAILURES,
    FIRST_NAMES,
    LAST_NAMES,
    NEIGHBOURHOODS,
    NOTES,
    RELATIVES,
)
from carinho.atendimento import models as m
from carinho.atendimento.agents.models import Role, SupportLevel
from carinho.atendimento.agents.service import agent_service
from carinho.atendimento.escalation.models import Escalation
from carinho.atendimento.seed import seed_defaults
from carinho.atendimento.sla.models import ConversationSla, SlaBreach, SlaPolicy, SlaTarget
from carinho.kit import migrations
from carinho.kit.db import Database

POSTGRES_SERVER = "postgresql+asyncpg://postgres@127.0.0.1:5432"
PASSWORD = "bench-senha-forte-14"  # the two bench logins of a throwaway database
CHUNK = 5_000


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


@dataclass
class _Conversation:
    id: int = 0
    status: str = "resolved"
    level: str = "N1"
    priority: str = "normal"
    stage: str = "new"
    assignee: int | None = None
    timeline: list[tuple[float, str]] = field(default_factory=list)
    created: datetime = datetime.min
    end: datetime = datetime.min  # resolved_at, or the last activity of an active one
    contact: int = 0
    context: dict[str, str] = field(default_factory=dict)


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


# ---------------------------------------------------------------------------------------- generation


class _Generator:
    def __init__(self, seed: int, now: datetime) -> None:
        self.rng = random.Random(seed)
        self.now = now

    def pick(self, weighted: dict[str, float]) -> str:
        return self.rng.choices(list(weighted), weights=list(weighted.values()))[0]

    def person_name(self) -> str:
        rng = self.rng
        last = " ".join(rng.sample(LAST_NAMES, k=2 if rng.random() < 0.4 else 1))
        return f"{rng.choice(FIRST_NAMES)} {last}"

    def context(self) -> dict[str, str]:
        rng = self.rng
        return {
            "rel": rng.choice(RELATIVES),
            "cond": rng.choice(CONDITIONS),
            "bairro": rng.choice(NEIGHBOURHOODS),
            "idade": str(rng.randint(68, 97)),
            "hora": str(rng.choice([7, 8, 9, 10, 13, 14])),
        }

    def say(self, pool: list[str], context: dict[str, str]) -> str:
        phrase = self.rng.choice(pool).format(**context)
        return phrase[:1].upper() + phrase[1:]

    def timeline(self, n: int, welcome: bool) -> list[tuple[float, str]]:
        """(seconds since the first message, who) for n messages: `in` the customer, `out` an
        attendant, `auto` the automatic welcome, `note` an internal note."""
        rng = self.rng
        out: list[tuple[float, str]] = [(0.0, "in")]
        if welcome and n > 2:
            out.append((2.0, "auto"))
        side, t = "in", 2.0
        while len(out) < n:
            switch = rng.random() < 0.6
            if switch:
                side = "out" if side == "in" else "in"
                gap = rng.expovariate(1 / 600) + 20
                if rng.random() < 0.04:
                    gap += rng.uniform(8, 16) * 3600  # picked up the next day
            else:
                gap = rng.uniform(8, 90)
            t += gap
            who = "note" if side == "out" and rng.random() < 0.03 else side
            out.append((t, who))
        return out[:n]

    def message_counts(self, conversations: int, total: int) -> list[int]:
        weights = [self.rng.lognormvariate(0, 0.8) for _ in range(conversations)]
        scale = total / sum(weights)
        counts = [max(2, int(w * scale)) for w in weights]
        diff = total - sum(counts)
        while diff:
            i = self.rng.randrange(conversations)
            if diff > 0:
                counts[i] += 1
                diff -= 1
            elif counts[i] > 2:
                counts[i] -= 1
                diff += 1
        return counts


def _agents(gen: _Generator, first_id: int, stamp: datetime) -> list[dict[str, Any]]:
    """The team besides the two logins: N1/N2/N3 attendants, supervisors, an administrator."""
    rows = []
    for i, name in enumerate(AGENT_NAMES[1:-4]):
        level = "N1" if i < 17 else "N2" if i < 25 else "N3"
        rows.append((name, "agent", level))
    rows += [(AGENT_NAMES[-3], "supervisor", "N2"), (AGENT_NAMES[-2], "supervisor", "N3")]
    rows.append((AGENT_NAMES[-1], "admin", "N3"))
    return [
        {
            "id": first_id + i,
            "name": name,
            "email": f"equipe{first_id + i}@carinho.bench",
            "password_hash": "!",  # cannot log in
            "role": role,
            "level": level,
            "active": True,
            "capacity": 10,
            "available": gen.rng.random() < 0.85,
            "auth_epoch": 0,
            "last_login_at": stamp - timedelta(minutes=gen.rng.randint(1, 600)),
            "last_assigned_at": None,
            "created_at": stamp - timedelta(days=200),
            "updated_at": stamp,
        }
        for i, (name, role, level) in enumerate(rows)
    ]


class _Loader:
    """Builds every row and inserts them table by table in chunks."""

    def __init__(self, database: Database, gen: _Generator, refs: dict[str, Any]) -> None:
        self.database = database
        self.gen = gen
        self.refs = refs
        self.counts: dict[str, int] = {}
        self.ids: dict[str, int] = {}

    def next_id(self, table: str) -> int:
        self.ids[table] = self.ids.get(table, self.refs["max_ids"].get(table, 0)) + 1
        return self.ids[table]

    async def insert(self, table: Table, rows: list[dict[str, Any]] | Iterator[dict[str, Any]]) -> None:
        batch: list[dict[str, Any]] = []
        async with self.database.engine.begin() as conn:
            for row in rows:
                batch.append(row)
                if len(batch) >= CHUNK:
                    await conn.execute(insert(table), batch)
                    self.counts[table.name] = self.counts.get(table.name, 0) + len(batch)
                    batch = []
            if batch:
                await conn.execute(insert(table), batch)
                self.counts[table.name] = self.counts.get(table.name, 0) + len(batch)


def _conversations(
    gen: _Generator, n: int, total_messages: int, long_history: int, refs: dict[str, Any]
) -> list[_Conversation]:
    rng, now = gen.rng, gen.now
    counts = gen.message_counts(n - 1, total_messages - long_history)
    active = max(1, round(n * 0.045))
    convs: list[_Conversation] = []
    by_level: dict[str, list[int]] = refs["attendants"]
    turn = dict.fromkeys(by_level, 0)
    for i in range(n):
        conv = _Conversation()
        conv.level = gen.pick({"N1": 70, "N2": 20, "N3": 10})
        conv.priority = gen.pick({"low": 10, "normal": 65, "high": 18, "urgent": 7})
        conv.context = gen.context()
        is_long = i == n - 1
        count = long_history if is_long else counts[i]
        conv.timeline = gen.timeline(count, welcome=rng.random() < 0.6)
        span = timedelta(seconds=conv.timeline[-1][0])
        if is_long or i < active:
            conv.status = "open" if is_long else gen.pick({"open": 60, "pending": 20, "waiting_customer": 20})
            conv.stage = gen.pick({"new": 40, "in_service": 35, "qualified": 15, "proposal_sent": 10})
            if conv.status == "waiting_customer" and conv.timeline[-1][1] == "in":
                conv.timeline[-1] = (conv.timeline[-1][0], "out")
            last = now - timedelta(minutes=rng.uniform(0.5, 360))
            conv.created, conv.end = last - span, last
            if is_long:
                conv.level = "N1"
                conv.assignee = refs["attendant"]
            elif rng.random() < 2 / 3:
                agents = by_level[conv.level]
                conv.assignee = agents[turn[conv.level] % len(agents)]
                turn[conv.level] += 1
        else:
            conv.status = gen.pick({"resolved": 70, "closed": 30})
            conv.stage = gen.pick(
                {"won": 25, "lost": 20, "proposal_sent": 10, "qualified": 15, "in_service": 20, "new": 10}
            )
            conv.assignee = rng.choice(by_level[conv.level])
            conv.created = now - timedelta(days=90 * rng.random()) - span - timedelta(hours=2)
            conv.end = conv.created + span + timedelta(minutes=rng.uniform(5, 120))
        convs.append(conv)
    convs.sort(key=lambda c: c.created)
    return convs


def _contacts(gen: _Generator, convs: list[_Conversation], loader: _Loader) -> list[dict[str, Any]]:
    """Contacts in chronological order; ~15 % of conversations come from a returning contact whose
    previous conversation had ended (one active conversation per contact)."""
    rng = gen.rng
    ended: list[tuple[datetime, int]] = []
    free: list[int] = []
    phones: set[str] = set()
    rows: list[dict[str, Any]] = []
    by_id: dict[int, dict[str, Any]] = {}
    for conv in convs:
        conv.id = loader.next_id("conversations")
        while ended and ended[0][0] < conv.created:
            free.append(heapq.heappop(ended)[1])
        if free and rng.random() < 0.15:
            conv.contact = free.pop(rng.randrange(len(free)))
        else:
            phone = ""
            while not phone or phone in phones:
                phone = f"55{rng.choice(AREA_CODES)}9{rng.randint(10_000_000, 99_999_999)}"
            phones.add(phone)
            contact_id = loader.next_id("contacts")
            row: dict[str, Any] = {
                "id": contact_id,
                "phone": phone,
                "name": None if rng.random() < 0.03 else gen.person_name(),
                "email": None,
                "crm_lead_id": f"lead_{contact_id:06d}" if rng.random() < 0.4 else None,
                "last_inbound_at": None,
                "created_at": conv.created,
                "updated_at": conv.created,
            }
            if row["name"] and rng.random() < 0.3:
                first = row["name"].split()[0].lower()
                row["email"] = f"{first}.{contact_id}@exemplo.com.br"
            rows.append(row)
            by_id[contact_id] = row
            conv.contact = contact_id
        if conv.status in ("resolved", "closed"):
            heapq.heappush(ended, (conv.end, conv.contact))
        by_id[conv.contact]["last_inbound_at"] = conv.created + timedelta(
            seconds=max(t for t, who in conv.timeline if who == "in")
        )
    return rows


def _conversation_row(gen: _Generator, conv: _Conversation, refs: dict[str, Any]) -> dict[str, Any]:
    rng = gen.rng
    at = [conv.created + timedelta(seconds=t) for t, _ in conv.timeline]
    who = [w for _, w in conv.timeline]
    first_response = next((a for a, w in zip(at, who, strict=True) if w == "out"), None)
    inbound = [a for a, w in zip(at, who, strict=True) if w == "in"]
    outbound = [a for a, w in zip(at, who, strict=True) if w in ("out", "auto")]
    active = conv.status in ("open", "pending", "waiting_customer")
    waiting = None
    if active:
        public = [(a, w) for a, w in zip(at, who, strict=True) if w != "note"]
        if public[-1][1] == "in":
            answered = max((a for a, w in public if w in ("out", "auto")), default=None)
            waiting = min(a for a, w in public if w == "in" and (answered is None or a > answered))
    resolved = closed = None
    if conv.status in ("resolved", "closed"):
        resolved = conv.end
        if conv.status == "closed":
            closed = min(resolved + timedelta(hours=rng.uniform(1, 48)), gen.now)
    loss = rng.choice(refs["loss_reasons"]) if conv.stage == "lost" else None
    return {
        "id": conv.id,
        "contact_id": conv.contact,
        "active_contact_id": conv.contact if active else None,
        "status": conv.status,
        "priority": conv.priority,
        "level": conv.level,
        "assignee_id": conv.assignee,
        "funnel_stage": conv.stage,
        "loss_reason_id": loss,
        "loss_note": "Família optou por cuidar em casa." if loss and rng.random() < 0.3 else None,
        "waiting_since": waiting,
        "first_response_at": first_response,
        "last_activity_at": closed or resolved or at[-1],
        "last_inbound_at": inbound[-1] if inbound else None,
        "last_outbound_at": outbound[-1] if outbound else None,
        "status_changed_at": closed or resolved or (outbound[-1] if outbound and not waiting else at[0]),
        "assigned_at": (first_response or at[0]) - timedelta(minutes=1) if conv.assignee else None,
        "resolved_at": resolved,
        "closed_at": closed,
        "created_at": conv.created,
        "updated_at": closed or resolved or at[-1],
    }


def _messages(
    gen: _Generator, conv: _Conversation, row: dict[str, Any], loader: _Loader, refs: dict[str, Any]
) -> Iterator[dict[str, Any]]:
    rng, now = gen.rng, gen.now
    first_name = (refs["contact_names"].get(conv.contact) or "tudo bem").split()[0]
    closing_at = len(conv.timeline) - 1 if conv.status != "open" and rng.random() < 0.4 else -1
    for n, (offset, who) in enumerate(conv.timeline):
        at = conv.created + timedelta(seconds=offset)
        message_id = loader.next_id("messages")
        msg: dict[str, Any] = {
            "id": message_id,
            "conversation_id": conv.id,
            "direction": "outbound",
            "kind": "text",
            "private": False,
            "sender_type": "agent",
            "agent_id": conv.assignee,
            "content": None,
            "media_url": None,
            "media_mime_type": None,
            "media_size": None,
            "media_file_name": None,
            "media_caption": None,
            "extra": {},
            "zapi_message_id": f"3EB0{message_id:012X}",
            "zapi_zaap_id": None,
            "reply_to_zapi_id": None,
            "delivery_status": "read",
            "failure_reason": None,
            "send_attempts": 1,
            "template_id": None,
            "automation": None,
            "created_at": at,
            "sent_at": None,
            "delivered_at": None,
            "read_at": None,
            "failed_at": None,
        }
        if who == "in":
            msg.update(direction="inbound", sender_type="contact", agent_id=None, send_attempts=0)
            msg["delivery_status"] = "received"
            kind = gen.pick(
                {"text": 90, "image": 4, "audio": 4, "document": 1, "location": 0.5, "video": 0.5}
            )
            msg["kind"] = kind
            if kind == "text":
                msg["content"] = gen.say(CUSTOMER, conv.context)
            elif kind == "location":
                msg["extra"] = {
                    "location": {
                        "latitude": -23.58,
                        "longitude": -46.64,
                        "address": conv.context["bairro"],
                        "name": None,
                        "url": None,
                    }
                }
            else:
                ext, mime = {
                    "image": ("jpg", "image/jpeg"),
                    "audio": ("ogg", "audio/ogg; codecs=opus"),
                    "document": ("pdf", "application/pdf"),
                    "video": ("mp4", "video/mp4"),
                }[kind]
                msg.update(
                    media_url=f"https://arquivos.bench.test/zapi/{message_id}.{ext}", media_mime_type=mime
                )
                msg["media_size"] = rng.randint(20_000, 3_000_000)
                if kind == "document":
                    msg["media_file_name"] = "receita_medica.pdf"
                if kind == "audio":
                    msg["extra"] = {"seconds": rng.randint(3, 90)}
                if kind == "image" and rng.random() < 0.3:
                    msg["content"] = msg["media_caption"] = "Foto da receita"
        elif who == "note":
            msg.update(kind="note", private=True, content=gen.say(NOTES, conv.context), zapi_message_id=None)
            msg.update(delivery_status="internal", send_attempts=0)
        else:
            if who == "auto":
                msg.update(sender_type="automation", agent_id=None, automation="welcome")
                msg["template_id"] = refs["templates"].get("welcome")
                msg["content"] = (
                    f"Olá, {first_name}! Aqui é da Carinho com Você. Obrigado pelo contato 💙 "
                    "Em instantes um de nossos atendentes vai falar com você."
                )
            elif n == closing_at:
                msg["template_id"] = refs["templates"].get("closing")
                msg["content"] = (
                    f"Obrigado pelo contato, {first_name}! Seu atendimento (protocolo {conv.id}) foi "
                    "encerrado. Se precisar, é só mandar uma nova mensagem."
                )
            elif rng.random() < 0.03:
                msg.update(
                    kind="document",
                    content="Proposta de atendimento",
                    media_caption="Proposta de atendimento",
                )
                msg.update(media_url=f"https://arquivos.bench.test/propostas/{conv.id}.pdf")
                msg.update(media_mime_type="application/pdf", media_file_name=f"proposta_{conv.id}.pdf")
            else:
                msg["content"] = gen.say(AGENT, conv.context)
            msg["zapi_zaap_id"] = f"zaap{message_id}"
            age = (now - at).total_seconds()
            if rng.random() < 0.01:
                msg.update(
                    delivery_status="failed", failure_reason=rng.choice(FAILURES), zapi_message_id=None
                )
                msg.update(zapi_zaap_id=None, failed_at=at + timedelta(seconds=30), send_attempts=3)
            else:
                state = "sent" if age < 60 else gen.pick({"read": 75, "received": 17, "sent": 8})
                msg["delivery_status"] = state
                msg["sent_at"] = at + timedelta(seconds=1)
                if state in ("received", "read"):
                    msg["delivered_at"] = at + timedelta(seconds=3)
                if state == "read":
                    msg["read_at"] = at + timedelta(seconds=rng.uniform(10, 900))
        yield msg


_STAGE_PATH = ["new", "in_service", "qualified", "proposal_sent"]


def _related(
    gen: _Generator,
    conv: _Conversation,
    row: dict[str, Any],
    loader: _Loader,
    refs: dict[str, Any],
    out: dict[str, list[dict[str, Any]]],
) -> None:
    """Labels, SLA state and targets, funnel moves, escalations, triage and the audit trail."""
    rng = gen.rng
    created, cid = conv.created, conv.id
    names = refs["agent_names"]
    holder = names.get(conv.assignee, "Sistema")

    def history(action: str, at: datetime, *, agent: int | None = None, **extra: Any) -> None:
        out["history_entries"].append(
            {
                "id": loader.next_id("history_entries"),
                "conversation_id": cid,
                "action": action,
                "actor_type": "agent" if agent else "system",
                "actor_id": agent,
                "actor_name": names.get(agent, "Sistema") if agent else "Sistema",
                "before": extra.get("before"),
                "after": extra.get("after"),
                "details": extra.get("details"),
                "request_id": None,
                "created_at": at,
            }
        )

    history("conversation.created", created)
    history("sla.applied", created, after={"priority": conv.priority})
    if conv.assignee:
        history(
            "conversation.assigned",
            row["assigned_at"],
            after={"assignee_id": conv.assignee, "assignee_name": holder},
            details={"rule": "round_robin"},
        )
    for label in rng.sample(refs["labels"], k=gen.rng.choices([0, 1, 2, 3], weights=[45, 35, 15, 5])[0]):
        out["conversation_labels"].append({"conversation_id": cid, "label_id": label})
        history("label.added", created + timedelta(minutes=5), agent=conv.assignee, after={"label_id": label})
    # Funnel: the path to the stage (lost may happen from any open stage).
    path = _STAGE_PATH[: _STAGE_PATH.index(conv.stage) + 1] if conv.stage in _STAGE_PATH else None
    if path is None:
        path = [*_STAGE_PATH[: rng.randint(1, 4)], conv.stage]
    span = (conv.end - created) / max(1, len(path))
    for step, (before, after) in enumerate(itertools.pairwise(path)):
        at = created + span * (step + 1)
        out["funnel_transitions"].append(
            {
                "id": loader.next_id("funnel_transitions"),
                "conversation_id": cid,
                "contact_id": conv.contact,
                "from_stage": before,
                "to_stage": after,
                "actor_type": "agent",
                "agent_id": conv.assignee,
                "loss_reason_id": row["loss_reason_id"] if after == "lost" else None,
                "note": row["loss_note"] if after == "lost" else None,
                "created_at": at,
            }
        )
        history("funnel.moved", at, agent=conv.assignee, before={"stage": before}, after={"stage": after})
    # Escalations to the conversation's level.
    if conv.level != "N1":
        steps = [("N1", "N2")] + ([("N2", "N3")] if conv.level == "N3" else [])
        for k, (low, high) in enumerate(steps):
            at = created + timedelta(minutes=10 * (k + 1))
            out["escalations"].append(
                {
                    "id": loader.next_id("escalations"),
                    "conversation_id": cid,
                    "direction": "up",
                    "from_level": low,
                    "to_level": high,
                    "reason": gen.say(ESCALATION_REASONS, conv.context),
                    "rule_id": None,
                    "agent_id": None,
                    "assignee_before_id": None,
                    "assignee_after_id": conv.assignee,
                    "notify_operacao": False,
                    "operacao_status": None,
                    "operacao_attempts": 0,
                    "operacao_protocol": None,
                    "operacao_error": None,
                    "operacao_delivered_at": None,
                    "created_at": at,
                }
            )
            history("conversation.escalated", at, before={"level": low}, after={"level": high})
    # Triage on about a third of the conversations.
    if rng.random() < 0.35:
        done = conv.status not in ("open", "pending", "waiting_customer") or rng.random() < 0.3
        session_id = loader.next_id("triage_sessions")
        out["triage_sessions"].append(
            {
                "id": session_id,
                "conversation_id": cid,
                "checklist_id": refs["checklist"],
                "status": "completed" if done else "in_progress",
                "outcome": gen.pick({"qualified": 75, "not_qualified": 25}) if done else None,
                "completed_at": created + timedelta(minutes=30) if done else None,
                "created_at": created,
                "updated_at": created + timedelta(minutes=30),
            }
        )
        questions = refs["questions"] if done else refs["questions"][: rng.randint(1, 5)]
        for question in questions:
            out["triage_answers"].append(
                {
                    "id": loader.next_id("triage_answers"),
                    "session_id": session_id,
                    "question_id": question["id"],
                    "value": _answer(gen, question, conv),
                    "answered_by_id": conv.assignee,
                    "answered_at": created + timedelta(minutes=15),
                }
            )
    _sla(gen, conv, row, loader, refs, out, history)
    if conv.status in ("resolved", "closed"):
        history(
            "conversation.status_changed",
            conv.end,
            agent=conv.assignee,
            before={"status": "open"},
            after={"status": "resolved"},
        )


def _answer(gen: _Generator, question: dict[str, Any], conv: _Conversation) -> Any:
    rng, qtype, options = gen.rng, question["qtype"], question["options"]
    if qtype == "single_choice":
        return rng.choice(options)
    if qtype == "multiple_choice":
        return sorted(rng.sample(options, k=rng.randint(1, 2)), key=options.index)
    if qtype == "number":
        return rng.randint(68, 97) if "idade" in question["code"] else rng.randint(4, 24)
    if qtype == "yes_no":
        return rng.random() < 0.9
    if qtype == "date":
        return (conv.created + timedelta(days=rng.randint(1, 20))).date().isoformat()
    return f"{conv.context['bairro']}, São Paulo" if "cidade" in question["code"] else conv.context["cond"]


def _sla(
    gen: _Generator,
    conv: _Conversation,
    row: dict[str, Any],
    loader: _Loader,
    refs: dict[str, Any],
    out: dict[str, list[dict[str, Any]]],
    history: Any,
) -> None:
    rng, now = gen.rng, gen.now
    policy = refs["policies"][conv.priority]
    active = row["active_contact_id"] is not None
    overall = "met"
    targets: list[dict[str, Any]] = []

    def target(kind: str, cycle: int, started: datetime, ended: datetime | None, status: str) -> None:
        minutes = policy[f"{kind}_minutes"]
        due = started + timedelta(minutes=minutes)
        if ended is None and status == "breached":
            due = now - timedelta(minutes=rng.uniform(2, 240))
        elif ended is None and status == "at_risk":
            due = now + timedelta(minutes=rng.uniform(1, 30))
        elif ended is None:
            due = max(due, now + timedelta(minutes=rng.uniform(5, minutes + 5)))
        at_risk = due - timedelta(minutes=minutes * (100 - policy["at_risk_percent"]) / 100)
        late = ended is not None and ended > due
        wall = ((ended or now) - started).total_seconds() / 60
        targets.append(
            {
                "id": loader.next_id("sla_targets"),
                "conversation_id": conv.id,
                "target": kind,
                "cycle": cycle,
                "priority": conv.priority,
                "target_minutes": minutes,
                "status": "met" if ended else status,
                "started_at": started,
                "at_risk_at": at_risk,
                "due_at": due,
                "paused_since": row["status_changed_at"]
                if conv.status == "waiting_customer" and not ended
                else None,
                "paused_business_minutes": 0.0,
                "revision": 1,
                "at_risk_since": at_risk if (late or status in ("at_risk", "breached")) else None,
                "breached_at": due if (late or (not ended and status == "breached")) else None,
                "ended_at": ended,
                "met_in_time": (not late) if ended else None,
                "business_minutes": round(wall * 0.8, 2) if ended else None,
                "wall_minutes": round(wall, 2) if ended else None,
                "agent_id": conv.assignee,
                "created_at": started,
                "updated_at": ended or now,
            }
        )

    first = row["first_response_at"]
    if active:
        overall = gen.pick({"ok": 60, "at_risk": 22, "breached": 18})
        target("first_response", 1, conv.created, first, overall if first is None else "met")
        if first is not None and row["waiting_since"] is not None:
            target("next_response", 2, row["waiting_since"], None, overall)
        target("resolution", 1, conv.created, None, overall if first is not None else "ok")
    else:
        target("first_response", 1, conv.created, first or conv.end, "met")
        target("resolution", 1, conv.created, conv.end, "met")
    for t in targets:
        if t["breached_at"] is not None:
            out["sla_breaches"].append(
                {
                    "id": loader.next_id("sla_breaches"),
                    "conversation_id": conv.id,
                    "target_id": t["id"],
                    "target": t["target"],
                    "revision": 1,
                    "priority": conv.priority,
                    "due_at": t["due_at"],
                    "detected_at": t["due_at"] + timedelta(seconds=30),
                    "overdue_business_minutes": round(
                        ((t["ended_at"] or now) - t["due_at"]).total_seconds() / 75, 3
                    ),
                    "ended_at": t["ended_at"],
                    "assignee_id": conv.assignee,
                    "assignee_name": refs["agent_names"].get(conv.assignee),
                    "level": conv.level,
                }
            )
            history("sla.breached", t["due_at"] + timedelta(seconds=30), after={"target": t["target"]})
    out["sla_targets"].extend(targets)
    out["sla_conversations"].append(
        {
            "id": loader.next_id("sla_conversations"),
            "conversation_id": conv.id,
            "priority": conv.priority,
            "started_at": conv.created,
            "status": overall,
            "paused_since": row["status_changed_at"] if conv.status == "waiting_customer" else None,
            "paused_business_minutes": 0.0,
            "pauses": [],
            "created_at": conv.created,
            "updated_at": conv.end,
        }
    )


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
) -> DataSet:
    """Migrates the empty database at `url` and loads the data set. `analyze`: gather the planner's
    statistics afterwards (default: on PostgreSQL, whose autovacuum does it in production; not on
    SQLite, where nothing runs ANALYZE)."""
    started = time.perf_counter()
    await asyncio.to_thread(migrations.upgrade, "atendimento", url)
    database = Database(url)
    try:
        now = datetime.now(UTC)
        refs, attendant, supervisor = await _references(database, now)
        gen = _Generator(seed, now)
        loader = _Loader(database, gen, refs)
        team = _agents(gen, refs["max_ids"]["agents"] + 1, now)
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

        convs = _conversations(gen, conversations, messages, long_history, refs)
        contacts = _contacts(gen, convs, loader)
        refs["contact_names"] = {c["id"]: c["name"] for c in contacts}
        await loader.insert(m.Contact.__table__, contacts)
        rows = [_conversation_row(gen, conv, refs) for conv in convs]
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
                yield from _messages(gen, conv, row, loader, refs)

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
            _related(gen, conv, row, loader, refs, related)
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
