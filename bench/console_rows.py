"""The rows of the hub console's data set (bench/console_data.py): events of the hub's real types
and sources with the steps of their flows, dead letters with their deliveries, the outbox of the last
day — as tuples in the column orders below, ready for `executemany` or a COPY."""

from __future__ import annotations

import hashlib
import json
import random
from collections.abc import Iterator, Sequence
from datetime import datetime, timedelta
from typing import Any

from bench.atendimento_texts import FIRST_NAMES, LAST_NAMES
from carinho.integracoes.events.contacts import email_hash, phone_hash
from carinho.integracoes.flows.registry import DELIVER_WEBHOOKS, get_flow, lane_for

SESSION_SECRET = "bench-console-session-secret-16"  # the key of the contact hashes of this data set
DAYS = 90
TARGETS = ("crm", "operacao", "financeiro", "cuidadores", "atendimento", "marketing", "documentos")

# (source, event type, weight %): the Z-API callbacks dominate, as on the real hub.
MIX: tuple[tuple[str, str, float], ...] = (
    ("zapi", "whatsapp.message.received", 22.0),
    ("zapi", "whatsapp.message.status", 43.0),
    ("zapi", "whatsapp.delivery", 2.0),
    ("zapi", "whatsapp.presence", 3.0),  # no flow: stored as ignored
    ("site", "lead.created", 10.0),
    ("crm", "client.registered", 5.0),
    ("operacao", "service.completed", 6.0),
    ("financeiro", "payment.received", 4.0),
    ("financeiro", "payout.processed", 2.0),
    ("cuidadores", "feedback.received", 3.0),
)
ERRORS = (
    "HTTP 503 do CRM: serviço em manutenção",
    "timeout após 10 s",
    "HTTP 500 do sistema de destino",
    "HTTP 422: campo obrigatório ausente (client_id)",
    "conexão recusada",
)

EVENT_COLUMNS = (
    "id", "uid", "source", "event_type", "idempotency_key", "payload", "status", "lane", "attempts",
    "next_attempt_at", "last_error", "request_id", "processed_at", "contact_phone_hash",
    "contact_email_hash", "created_at", "updated_at",
)  # fmt: skip
STEP_COLUMNS = (
    "id", "event_id", "name", "position", "status", "attempts", "idempotency_key", "output",
    "last_error", "started_at", "finished_at", "created_at", "updated_at",
)  # fmt: skip
DLQ_COLUMNS = (
    "id", "kind", "status", "event_id", "source", "event_type", "step_id", "step_name", "delivery_id",
    "endpoint_id", "target_system", "attempts", "last_status_code", "last_error", "context", "replays",
    "last_replayed_at", "resolved_at", "archived_at", "created_at", "updated_at",
)  # fmt: skip
ENDPOINT_COLUMNS = (
    "id", "url", "target_system", "description", "event_types", "secret", "retry_schedule",
    "created_at", "updated_at",
)  # fmt: skip
DELIVERY_COLUMNS = (
    "id", "event_id", "endpoint_id", "status", "attempts", "scheduled_attempts", "message_id",
    "idempotency_key", "next_attempt_at", "last_status_code", "last_error", "succeeded_at",
    "created_at", "updated_at",
)  # fmt: skip
ATTEMPT_COLUMNS = (
    "id", "delivery_id", "number", "trigger", "status", "status_code", "duration_ms", "error",
    "started_at", "finished_at",
)  # fmt: skip
OUTBOX_COLUMNS = (
    "id", "job", "lane", "args", "status", "attempts", "max_attempts", "time_limit_seconds",
    "available_at", "visible_at", "created_at", "started_at", "completed_at",
)  # fmt: skip


class Rows:
    """Every row of the data set, in id order, as tuples in the column orders above."""

    def __init__(self, seed: int, events: int, dlq: int, now: datetime) -> None:
        self.rng = random.Random(seed)
        self.now = now.replace(tzinfo=None)  # stored naive UTC
        self.n_events, self.n_dlq = events, dlq
        rng = self.rng
        self.phones = [f"55{rng.choice((11, 21, 31, 41, 44, 51, 61, 71, 81, 85))}9{rng.randrange(10**8):08d}"
                       for _ in range(max(50, events // 15))]  # fmt: skip
        self.phone_hashes = [phone_hash(SESSION_SECRET, p) for p in self.phones]
        self.names = [f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}" for _ in range(len(self.phones))]
        self.emails = [self._email(name, i) for i, name in enumerate(self.names)]
        self.email_hashes = [email_hash(SESSION_SECRET, e) for e in self.emails]
        weights = [w for _, _, w in MIX]
        self.kinds = rng.choices(range(len(MIX)), weights=weights, k=events)
        span = DAYS * 86400.0
        offsets = sorted((rng.random() * span for _ in range(events)), reverse=True)
        self.created = [self.now - timedelta(seconds=s) for s in offsets]
        self.dead = self._dead_letter_plan()
        self.ids = {"steps": 0, "deliveries": 0, "attempts": 0}
        self.counts: dict[str, int] = {}

    @staticmethod
    def _email(name: str, i: int) -> str:
        first, last = name.lower().split()[0], name.lower().split()[-1]
        plain = first.encode("ascii", "ignore").decode() + "." + last.encode("ascii", "ignore").decode()
        return f"{plain}{i}@{('gmail.com', 'hotmail.com', 'outlook.com', 'uol.com.br')[i % 4]}"

    def _dead_letter_plan(self) -> dict[int, tuple[str, str]]:
        """event index -> (DLQ status, kind) for `n_dlq` events with a flow, older than an hour."""
        rng = self.rng
        cutoff = self.now - timedelta(hours=1)
        candidates = [i for i, k in enumerate(self.kinds) if get_flow(MIX[k][1]) and self.created[i] < cutoff]
        chosen = rng.sample(candidates, min(self.n_dlq, len(candidates)))
        statuses = rng.choices(
            ("open", "resolved", "archived", "retrying"), weights=(30, 45, 23, 2), k=len(chosen)
        )
        kinds = rng.choices(("step", "delivery"), weights=(85, 15), k=len(chosen))
        return {i: (s, k) for i, s, k in zip(chosen, statuses, kinds, strict=True)}

    # ------------------------------------------------------------------------------------ payloads

    def _payload(self, n: int, event_type: str, person: int) -> tuple[str, str, bool, bool]:
        """(payload JSON, idempotency key, has phone, has e-mail) of event number `n`."""
        rng, phone, name = self.rng, self.phones[person], self.names[person]
        msg = hashlib.blake2s(f"{n}".encode(), digest_size=10).hexdigest().upper()
        body: dict[str, Any]
        if event_type == "whatsapp.message.received":
            body = {"instanceId": "3C4F9A", "messageId": msg, "phone": phone, "senderName": name,
                    "text": {"message": rng.choice(("Bom dia, gostaria de um orçamento",
                                                    "Minha mãe precisa de cuidadora à noite",
                                                    "Obrigada!", "Qual o valor do plantão?"))},
                    "type": "ReceivedCallback"}  # fmt: skip
            return json.dumps(body, ensure_ascii=False), f"msg-{msg}", True, False
        if event_type in ("whatsapp.message.status", "whatsapp.delivery"):
            status = rng.choice(("SENT", "RECEIVED", "READ"))
            kind = "DeliveryCallback" if "delivery" in event_type else "MessageStatusCallback"
            body = {"instanceId": "3C4F9A", "ids": [msg], "phone": phone, "status": status, "type": kind}
            return json.dumps(body), f"status-{msg}-{status}", True, False
        if event_type == "whatsapp.presence":
            return json.dumps({"phone": phone, "status": "AVAILABLE"}), f"presence-{n}", True, False
        if event_type == "lead.created":
            body = {"lead_id": f"L{n}", "name": name, "phone": phone, "email": self.emails[person],
                    "city": rng.choice(("São Paulo", "Curitiba", "Maringá", "Belo Horizonte")),
                    "service_type": rng.choice(("cuidador_diurno", "cuidador_noturno", "plantao_12h")),
                    "utm_source": rng.choice(("google", "instagram", "indicacao"))}  # fmt: skip
            return json.dumps(body, ensure_ascii=False), f"lead-{n}", True, True
        if event_type == "client.registered":
            body = {"client_id": n, "name": name, "phone": phone, "email": self.emails[person]}
            return json.dumps(body, ensure_ascii=False), f"client-{n}", True, True
        if event_type == "service.completed":
            body = {"service_id": n, "client_id": person, "caregiver_id": rng.randrange(1, 400),
                    "hours": rng.choice((6, 12, 24))}  # fmt: skip
            return json.dumps(body), f"service-{n}", False, False
        if event_type in ("payment.received", "payout.processed"):
            body = {"id": n, "client_id": person, "amount": round(rng.uniform(180, 4800), 2),
                    "method": rng.choice(("pix", "boleto", "cartao"))}  # fmt: skip
            return json.dumps(body), f"{event_type.split('.')[0]}-{n}", False, False
        body = {"service_id": n, "rating": rng.choice((5, 5, 5, 4, 4, 3, 1)), "comment": "Muito atenciosa"}
        return json.dumps(body), f"feedback-{n}", False, False

    # ------------------------------------------------------------------------------------ rows

    def events_and_steps(self) -> Iterator[tuple[str, tuple[Any, ...]]]:
        """("events" | "steps" | "dlq" | "deliveries" | "attempts", row) in an order the foreign keys
        accept: an event, then its steps, its delivery and attempts, its dead letter."""
        rng, now = self.rng, self.now
        recent = now - timedelta(minutes=3)
        dlq_id = 0
        for i in range(self.n_events):
            event_id = i + 1
            source, event_type, _ = MIX[self.kinds[i]]
            person = rng.randrange(len(self.phones))
            payload, key, has_phone, has_email = self._payload(i, event_type, person)
            created = self.created[i]
            flow = get_flow(event_type)
            steps = flow.steps if flow else ()
            dead = self.dead.get(i)
            status, attempts, next_at, error, processed = "processed", 1, None, None, None
            if not flow:
                status = "ignored"
            elif dead is not None:
                status = {
                    "open": "dead",
                    "archived": "dead",
                    "retrying": "received",
                    "resolved": "processed",
                }[dead[0]]
                attempts = 6 if dead[0] != "resolved" else 7
                error = rng.choice(ERRORS) if status == "dead" else None
            elif created > recent:
                status = rng.choice(("received", "processing", "processed"))
            elif rng.random() < 0.005:
                status, attempts, error = "failed", rng.randint(2, 5), rng.choice(ERRORS)
                next_at = now + timedelta(seconds=rng.randint(30, 3600))
            if status == "processed":
                processed = created + timedelta(milliseconds=rng.lognormvariate(5.5, 0.8))
            updated = processed or created
            yield "events", (
                event_id, f"{rng.getrandbits(128):032x}", source, event_type, key, payload, status,
                lane_for(event_type).value, attempts, next_at, error, f"req-{i:08x}", processed,
                self.phone_hashes[person] if has_phone else None,
                self.email_hashes[person] if has_email else None, created, updated,
            )  # fmt: skip
            failing = rng.randrange(len(steps)) if dead and dead[1] == "step" else -1
            if dead and dead[1] == "delivery":
                failing = len(steps) - 1  # the delivery step itself is done; its delivery is dead
            step_ids: list[int] = []
            for position, name in enumerate(steps):
                if status in ("received", "processing") and dead is None and position > 0:
                    break
                self.ids["steps"] += 1
                step_ids.append(self.ids["steps"])
                started = created + timedelta(milliseconds=20 + 40 * position)
                if position == failing and dead and dead[1] == "step" and status == "dead":
                    step: tuple[Any, ...] = ("dead", 6, None, error, started, None)
                elif status == "failed" and position == len(steps) - 1:
                    step = ("failed", attempts, None, error, started, None)
                elif status in ("received", "processing"):
                    step = ("pending", 0, None, None, None, None)
                else:
                    output = (
                        json.dumps({"ok": True, "id": f"{name}-{event_id}"})
                        if name != DELIVER_WEBHOOKS
                        else None
                    )
                    step = ("done", 7 if position == failing else 1, output, None, started,
                            started + timedelta(milliseconds=35))  # fmt: skip
                yield "steps", (
                    self.ids["steps"], event_id, name, position, step[0], step[1],
                    f"{key}:{name}", step[2], step[3], step[4], step[5], created, step[5] or created,
                )  # fmt: skip
                if step[0] == "dead":
                    break
            if dead is None:
                continue
            dlq_id += 1
            yield from self._dead_letter(
                dlq_id, dead, event_id, source, event_type, key, created, steps, step_ids, failing
            )

    def _dead_letter(
        self,
        dlq_id: int,
        dead: tuple[str, str],
        event_id: int,
        source: str,
        event_type: str,
        key: str,
        created: datetime,
        steps: Sequence[str],
        step_ids: list[int],
        failing: int,
    ) -> Iterator[tuple[str, tuple[Any, ...]]]:
        rng, status, kind = self.rng, dead[0], dead[1]
        at = created + timedelta(minutes=rng.randint(20, 180))
        resolved = at + timedelta(hours=rng.randint(1, 48)) if status == "resolved" else None
        archived = at + timedelta(days=rng.randint(1, 5)) if status == "archived" else None
        error = rng.choice(ERRORS)
        code = int(error[5:8]) if error.startswith("HTTP") else None
        delivery_id = endpoint_id = target = None
        if kind == "delivery":
            endpoint_id = rng.randrange(len(TARGETS)) + 1
            target = TARGETS[endpoint_id - 1]
            self.ids["deliveries"] += 1
            delivery_id = self.ids["deliveries"]
            succeeded = resolved is not None
            yield "deliveries", (
                delivery_id, event_id, endpoint_id, "succeeded" if succeeded else "dead",
                7 if succeeded else 6, 6,
                f"msg_{delivery_id:010d}", f"{key}:{endpoint_id}", None, 200 if succeeded else code,
                None if succeeded else error, resolved, created, resolved or at,
            )  # fmt: skip
            for number in range(1, 4):
                self.ids["attempts"] += 1
                start = created + timedelta(minutes=number * number)
                yield "attempts", (
                    self.ids["attempts"], delivery_id, number, "scheduled", "failed", code,
                    rng.randint(40, 10_000), error, start, start + timedelta(milliseconds=300),
                )  # fmt: skip
        step_id = step_ids[failing] if kind == "step" and 0 <= failing < len(step_ids) else None
        context = {"url": f"https://{target or 'crm'}.carinho.internal/api/…", "attempts": []}
        yield "dlq", (
            dlq_id, kind, status, event_id, source, event_type, step_id,
            steps[failing] if kind == "step" else None, delivery_id, endpoint_id, target, 6, code, error,
            json.dumps(context), 1 if status in ("resolved", "retrying") else 0,
            resolved if status == "resolved" else (at if status == "retrying" else None), resolved, archived,
            at, resolved or archived or at,
        )  # fmt: skip

    def endpoints(self) -> list[tuple[Any, ...]]:
        return [
            (i + 1, f"https://{t}.carinho.internal/webhooks/hub", t, f"Sistema {t}", "[]", "whsec_bench",
             None,
             self.now - timedelta(days=DAYS + 1), self.now - timedelta(days=DAYS + 1))
            for i, t in enumerate(TARGETS)
        ]  # fmt: skip

    def outbox(self) -> list[tuple[Any, ...]]:
        """The outbox of the last day (older done rows are purged): one processing job per event,
        finished; a few pending ones in the last minutes."""
        since = self.now - timedelta(days=1)
        rows: list[tuple[Any, ...]] = []
        for i in range(self.n_events - 1, -1, -1):
            created = self.created[i]
            if created < since:
                break
            event_type = MIX[self.kinds[i]][1]
            if get_flow(event_type) is None:
                continue
            lane = lane_for(event_type).value
            pending = created > self.now - timedelta(seconds=20)
            done_at = None if pending else created + timedelta(milliseconds=180)
            rows.append((
                len(rows) + 1, "integracoes.process_event", lane, json.dumps({"event_id": i + 1}),
                "pending" if pending else "done", 0 if pending else 1, 8, 300, created, created, created,
                None if pending else created, done_at,
            ))  # fmt: skip
        return rows
