"""Rows of the atendimento benchmark's data set (`atendimento_data.build`): agents, contacts,
conversations and their messages, generated deterministically from a seeded random source."""

from __future__ import annotations

import heapq
import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Table, insert

from bench.atendimento_texts import (
    AGENT,
    AGENT_NAMES,
    AREA_CODES,
    CONDITIONS,
    CUSTOMER,
    FAILURES,
    FIRST_NAMES,
    LAST_NAMES,
    NEIGHBOURHOODS,
    NOTES,
    RELATIVES,
)
from carinho.kit.db import Database

CHUNK = 5_000  # rows per INSERT


@dataclass
class ConversationPlan:
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


class Generator:
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


def agent_rows(gen: Generator, first_id: int, stamp: datetime) -> list[dict[str, Any]]:
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


class Loader:
    """Builds every row and inserts them table by table in chunks."""

    def __init__(self, database: Database, gen: Generator, refs: dict[str, Any]) -> None:
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


def plan_conversations(
    gen: Generator, n: int, total_messages: int, long_history: int, refs: dict[str, Any]
) -> list[ConversationPlan]:
    rng, now = gen.rng, gen.now
    counts = gen.message_counts(n - 1, total_messages - long_history)
    active = max(1, round(n * 0.045))
    convs: list[ConversationPlan] = []
    by_level: dict[str, list[int]] = refs["attendants"]
    turn = dict.fromkeys(by_level, 0)
    for i in range(n):
        conv = ConversationPlan()
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


def contact_rows(gen: Generator, convs: list[ConversationPlan], loader: Loader) -> list[dict[str, Any]]:
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


def conversation_row(gen: Generator, conv: ConversationPlan, refs: dict[str, Any]) -> dict[str, Any]:
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


def message_rows(
    gen: Generator, conv: ConversationPlan, row: dict[str, Any], loader: Loader, refs: dict[str, Any]
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
