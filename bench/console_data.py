"""The hub console's data set (issue 16): 1,000,000 events, ~3,000,000 steps and 100,000 DLQ entries
over 90 days, bulk-loaded into a migrated integracoes database (SQLite or PostgreSQL) and kept for
the next run.

    data = await prepare(url, data_dir / "console.json", events=1_000_000, dlq=100_000)

SQLite is loaded through one `sqlite3` connection, one transaction, big `executemany` batches;
PostgreSQL through asyncpg's `copy_records_to_table`. What it holds: the hub's real event types and
sources in realistic proportions (Z-API messages and their statuses first, site leads, CRM, operation,
finance, caregivers' feedback, ignored presence callbacks), each event with the steps of its flow
(`flows/table.py`), the contact lookup hashes of its phone and e-mail, the statuses a running
hub has (processed, ignored, dead, failing with a retry scheduled, received in the last minutes);
100,000 dead letters (open, retrying, resolved, archived; steps, and deliveries with their endpoint,
delivery and attempts); the outbox of the last day. Deterministic for a seed, except `built_at`.

A build is described by a JSON file next to the data (counts, search terms, when it was built);
`prepare` reuses the database when that file matches the asked size, and always runs the
migrations (a new index reaches a cached database).
"""

from __future__ import annotations

import asyncio
import json
import sqlite3
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy.engine import make_url

from bench.atendimento_data import POSTGRES_SERVER
from bench.console_rows import (
    ATTEMPT_COLUMNS,
    DELIVERY_COLUMNS,
    DLQ_COLUMNS,
    ENDPOINT_COLUMNS,
    EVENT_COLUMNS,
    MIX,
    OUTBOX_COLUMNS,
    STEP_COLUMNS,
    Rows,
)
from carinho.kit import migrations

BATCH = 50_000


@dataclass
class ConsoleData:
    """What a build holds, and what the scenarios search for (values that match)."""

    built_at: str  # ISO instant the data set's "now" is; the benchmark sets the platform clock there
    seed: int
    counts: dict[str, int] = field(default_factory=dict)
    terms: dict[str, str] = field(default_factory=dict)
    seconds: float = 0.0

    @property
    def now(self) -> datetime:
        return datetime.fromisoformat(self.built_at)


# ---------------------------------------------------------------------------------------- loading

TABLES = {
    "events": ("integration_events", EVENT_COLUMNS),
    "steps": ("integration_event_steps", STEP_COLUMNS),
    "dlq": ("dead_letters", DLQ_COLUMNS),
    "endpoints": ("webhook_endpoints", ENDPOINT_COLUMNS),
    "deliveries": ("webhook_deliveries", DELIVERY_COLUMNS),
    "attempts": ("webhook_delivery_attempts", ATTEMPT_COLUMNS),
    "outbox": ("outbox_messages", OUTBOX_COLUMNS),
}
# Inserted in this order within each batch (foreign keys: endpoints first, events before the rest).
ORDER = ("events", "steps", "deliveries", "attempts", "dlq")


def _batches(rows: Rows) -> Iterator[dict[str, list[tuple[Any, ...]]]]:
    batch: dict[str, list[tuple[Any, ...]]] = {name: [] for name in ORDER}
    size = 0
    for name, row in rows.events_and_steps():
        batch[name].append(row)
        size += 1
        if size >= BATCH:
            yield batch
            batch, size = {name: [] for name in ORDER}, 0
    yield batch


def _sqlite_datetime(value: datetime) -> str:
    return value.strftime("%Y-%m-%d %H:%M:%S.%f")  # SQLAlchemy's storage format


def load_sqlite(path: str, rows: Rows) -> dict[str, int]:
    sqlite3.register_adapter(datetime, _sqlite_datetime)
    db = sqlite3.connect(path, isolation_level=None)
    counts: dict[str, int] = {}
    try:
        # A throwaway load: no journal, and a page cache that holds the indexes being filled (with
        # SQLite's 2 MB default every batch rereads and rewrites their pages through the WAL).
        db.execute("PRAGMA journal_mode=OFF")
        db.execute("PRAGMA synchronous=OFF")
        db.execute("PRAGMA cache_size=-4000000")  # KiB: 4 GB at most, freed when the load ends
        db.execute("BEGIN")

        def put(name: str, values: list[tuple[Any, ...]]) -> None:
            table, columns = TABLES[name]
            marks = ",".join("?" * len(columns))
            db.executemany(f"INSERT INTO {table} ({','.join(columns)}) VALUES ({marks})", values)
            counts[name] = counts.get(name, 0) + len(values)

        put("endpoints", rows.endpoints())
        for batch in _batches(rows):
            for name in ORDER:
                put(name, batch[name])
        put("outbox", rows.outbox())
        db.execute("COMMIT")
        db.execute("PRAGMA journal_mode=WAL")  # as the app keeps it
    finally:
        db.close()
    return counts


async def load_postgresql(url: str, rows: Rows) -> dict[str, int]:
    import asyncpg

    plain = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    conn = await asyncpg.connect(plain)
    counts: dict[str, int] = {}
    try:

        async def put(name: str, values: list[tuple[Any, ...]]) -> None:
            table, columns = TABLES[name]
            await conn.copy_records_to_table(table, records=values, columns=list(columns))
            counts[name] = counts.get(name, 0) + len(values)

        async with conn.transaction():
            await put("endpoints", rows.endpoints())
            for batch in _batches(rows):
                for name in ORDER:
                    await put(name, batch[name])
            await put("outbox", rows.outbox())
        for name in TABLES:
            table = TABLES[name][0]
            await conn.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT MAX(id) FROM {table}))"
            )
        await conn.execute("VACUUM ANALYZE")  # what autovacuum does after a load
    finally:
        await conn.close()
    return counts


async def build(url: str, *, events: int, dlq: int, seed: int = 16) -> ConsoleData:
    started = time.perf_counter()
    await asyncio.to_thread(migrations.upgrade, "integracoes", url)
    now = datetime.now(UTC).replace(microsecond=0)
    rows = Rows(seed, events, dlq, now)
    if url.startswith("sqlite"):
        counts = await asyncio.to_thread(load_sqlite, str(make_url(url).database), rows)
    else:
        counts = await load_postgresql(url, rows)
    data = ConsoleData(built_at=now.isoformat(), seed=seed, counts=counts)
    data.terms = {"phone": _busy_phone(rows), "key": _key_of_a_recent_event(rows)}
    data.seconds = round(time.perf_counter() - started, 1)
    return data


def _busy_phone(rows: Rows) -> str:
    """A phone (as an operator types it) that some events carry."""
    return rows.phones[0]


def _key_of_a_recent_event(rows: Rows) -> str:
    # Keys of the types whose key does not depend on the random stream: `{prefix}-{n}`.
    for i in range(rows.n_events - 100, -1, -1):
        event_type = MIX[rows.kinds[i]][1]
        if event_type == "lead.created":
            return f"lead-{i}"
    raise RuntimeError("no lead in the data set")


POSTGRES_DATABASE = "bench_console"


def database_url(backend: str, data_dir: Path) -> str:
    """Where a backend's data set is kept: a SQLite file in `data_dir`, or the PostgreSQL database
    `bench_console` on the local server (127.0.0.1:5432, trust auth)."""
    if backend == "sqlite":
        return f"sqlite+aiosqlite:///{data_dir / 'console.sqlite3'}"
    if backend == "postgresql":
        return f"{POSTGRES_SERVER}/{POSTGRES_DATABASE}"
    raise ValueError(f"unsupported backend {backend!r}")


def _remove_sqlite(url: str) -> None:
    path = str(make_url(url).database)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


async def _empty(url: str) -> None:
    """Make the database at `url` empty: the SQLite file removed, the PostgreSQL database recreated."""
    if url.startswith("sqlite"):
        _remove_sqlite(url)
        return
    from sqlalchemy import text
    from sqlalchemy.ext.asyncio import create_async_engine

    name = make_url(url).database
    admin = create_async_engine(f"{POSTGRES_SERVER}/postgres", isolation_level="AUTOCOMMIT")
    try:
        async with admin.connect() as conn:
            await conn.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
            await conn.execute(text(f"CREATE DATABASE {name}"))
    finally:
        await admin.dispose()


def _kept(manifest: Path, events: int, dlq: int, seed: int) -> ConsoleData | None:
    """The description of the data set kept at `manifest` if it is the one asked for."""
    manifest.parent.mkdir(parents=True, exist_ok=True)
    if not manifest.exists():
        return None
    known = ConsoleData(**json.loads(manifest.read_text(encoding="utf-8")))
    if known.seed == seed and known.counts.get("events") == events and known.counts.get("dlq") == dlq:
        return known
    manifest.unlink()
    return None


async def prepare(
    backend: str, data_dir: Path, *, events: int, dlq: int, seed: int = 16
) -> tuple[str, ConsoleData]:
    """The backend's data set, as (database URL, description): reused when the description kept in
    `data_dir` says it has this size and seed, built otherwise into an emptied database. The
    migrations run either way (an index added since reaches the kept database)."""
    url = database_url(backend, data_dir)
    manifest = data_dir / f"console-{backend}.json"
    known = _kept(manifest, events, dlq, seed)
    if known is not None:
        await asyncio.to_thread(migrations.upgrade, "integracoes", url)
        return url, known
    await _empty(url)
    data = await build(url, events=events, dlq=dlq, seed=seed)
    manifest.write_text(json.dumps(asdict(data), indent=1), encoding="utf-8")
    return url, data
