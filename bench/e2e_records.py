"""What bench/run_e2e.py reads back: the moment each first contact reached the CRM, atendimento and
the customer's phone, from the sandbox's and atendimento's own records (never from the hub's).

- CRM: the sandbox CRM's interaction (`external_id` is the Z-API `messageId`) or, for a site lead,
  the lead with that phone — their `created_at` (the sandbox's SQLite file, read-only).
- atendimento: the conversation of the contact with that phone — its `created_at`.
- phone: the first message the simulated Z-API accepted for that phone — its `sent_at` (the
  sandbox's inspection API; the simulator keeps them in memory).

The hub's and atendimento's databases are SQLite files under the data dir (`carinho up`) or, for the
production profile (bench/e2e_production.py), PostgreSQL databases read through asyncpg.
"""

from __future__ import annotations

import asyncio
import json
import re
import sqlite3
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

import httpx


def _epoch(value: str | datetime) -> float:
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(value.replace("Z", "+00:00"))
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).timestamp()


def _read_only(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=30)


class Reader(Protocol):
    def rows(self, sql: str, *params: Any) -> list[tuple[Any, ...]]: ...


class SqliteReader:
    def __init__(self, path: Path) -> None:
        self.path = path

    def rows(self, sql: str, *params: Any) -> list[tuple[Any, ...]]:
        with _read_only(self.path) as db:
            return list(db.execute(sql, params).fetchall())


class PostgresReader:
    """One asyncpg connection on a loop of its own, driven from this (synchronous) bench."""

    def __init__(self, dsn: str) -> None:
        import asyncpg

        self.loop = asyncio.new_event_loop()
        self.connection = self.loop.run_until_complete(asyncpg.connect(dsn))

    def rows(self, sql: str, *params: Any) -> list[tuple[Any, ...]]:
        numbered = iter(range(1, 100))
        sql = re.sub(r"\?", lambda _: f"${next(numbered)}", sql)
        return [tuple(r) for r in self.loop.run_until_complete(self.connection.fetch(sql, *params))]

    def close(self) -> None:
        self.loop.run_until_complete(self.connection.close())
        self.loop.close()


class Records:
    def __init__(self, data_dir: Path, sandbox_url: str, databases: dict[str, Reader] | None = None) -> None:
        """`databases`: the hub's ("integracoes") and atendimento's readers; default: the SQLite files
        `carinho up` keeps under `data_dir`."""
        self.data_dir = data_dir
        self.sandbox = httpx.Client(base_url=sandbox_url, timeout=60)
        self.db = databases or {
            context: SqliteReader(data_dir / f"{context}.sqlite3")
            for context in ("integracoes", "atendimento")
        }

    def crm_interactions(self) -> dict[str, float]:
        """messageId → when the CRM registered the interaction."""
        with _read_only(self.data_dir / "sandbox" / "sandbox.sqlite3") as db:
            rows = db.execute(
                "select data from sandbox_records where system = 'crm' and resource = 'interactions'"
            ).fetchall()
        found: dict[str, float] = {}
        for (data,) in rows:
            record = json.loads(data)
            if record.get("external_id"):
                found.setdefault(record["external_id"], _epoch(record["created_at"]))
        return found

    def crm_leads(self) -> dict[str, float]:
        """phone → when the CRM created the lead."""
        with _read_only(self.data_dir / "sandbox" / "sandbox.sqlite3") as db:
            rows = db.execute(
                "select data from sandbox_records where system = 'crm' and resource = 'leads'"
            ).fetchall()
        return {
            record["phone"]: _epoch(record["created_at"]) for record in map(json.loads, (r for (r,) in rows))
        }

    def conversations(self) -> dict[str, float]:
        """phone → when atendimento opened the contact's first conversation."""
        rows = self.db["atendimento"].rows(
            "select contacts.phone, min(conversations.created_at) from conversations "
            "join contacts on contacts.id = conversations.contact_id group by contacts.phone"
        )
        return {phone: _epoch(created) for phone, created in rows}

    def phone_messages(self, phone: str | None = None) -> dict[str, float]:
        """phone → when the simulated Z-API accepted the first message to it (to `phone` only)."""
        found: dict[str, float] = {}
        for at, to in self.zapi_sends(phone):
            found.setdefault(to, at)
        return found

    def zapi_sends(self, phone: str | None = None) -> list[tuple[float, str]]:
        """Every message the simulated Z-API accepted (to `phone` only): (when, to whom), in order."""
        params = {"phone": phone} if phone else {}
        messages = self.sandbox.get("/_sandbox/zapi/messages", params=params).json()
        return [(_epoch(m["sent_at"]), m["phone"]) for m in messages]

    def hub_counts(self) -> dict[str, int]:
        """The hub's events by status (`dead` ones are in the DLQ) and its outbox rows not done."""
        hub = self.db["integracoes"]
        by_status = dict(hub.rows("select status, count(*) from integration_events group by status"))
        ((pending,),) = hub.rows("select count(*) from outbox_messages where status != 'done'")
        return {**{f"events_{k}": int(v) for k, v in by_status.items()}, "outbox_not_done": int(pending)}

    def last_event_id(self) -> int:
        ((last,),) = self.db["integracoes"].rows("select coalesce(max(id), 0) from integration_events")
        return int(last)

    def hub_timings(self, since_event_id: int = 0) -> dict[str, Any]:
        """Where the hub's time went, from its own step rows (events after `since_event_id`): p50 of
        each step's run, of the wait from an event's arrival to its first step, and of the gaps
        between one step's end and the next one's start."""
        rows = self.db["integracoes"].rows(
            "select e.id, e.created_at, s.name, s.started_at, s.finished_at "
            "from integration_event_steps s join integration_events e on e.id = s.event_id "
            "where e.id > ? and s.started_at is not null and s.finished_at is not null "
            "order by e.id, s.position",
            since_event_id,
        )
        runs: dict[str, list[float]] = {}
        queue_wait: list[float] = []
        gaps: list[float] = []
        previous: tuple[int, float] | None = None
        for event_id, created, name, started, finished in rows:
            start, end = _epoch(started), _epoch(finished)
            runs.setdefault(name, []).append(end - start)
            if previous is None or previous[0] != event_id:
                queue_wait.append(start - _epoch(created))
            else:
                gaps.append(start - previous[1])
            previous = (event_id, end)

        def p50_ms(values: list[float]) -> float | None:
            return round(sorted(values)[len(values) // 2] * 1000, 1) if values else None

        return {
            "queue_wait_p50_ms": p50_ms(queue_wait),
            "between_steps_p50_ms": p50_ms(gaps),
            "step_run_p50_ms": {name: p50_ms(values) for name, values in runs.items()},
        }
