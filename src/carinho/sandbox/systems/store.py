"""The simulated systems' state: one SQLite file under `$CARINHO_DATA_DIR/sandbox/`, with its own
metadata (a simulator, so `create_all` rather than migrations).

Records are JSON documents per (system, resource) with an integer id, an optional external key
(the id another system gave it, for upserts) and Laravel-style timestamps.
"""

from __future__ import annotations

import asyncio
import json
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Column, Index, Integer, MetaData, String, Table, Text, and_, event, func, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from carinho.kit import clock

metadata = MetaData()

records = Table(
    "sandbox_records",
    metadata,
    Column("system", String(32), primary_key=True),
    Column("resource", String(64), primary_key=True),
    Column("id", Integer, primary_key=True),
    Column("key", String(190), nullable=True),
    Column("updated_at", String(40), nullable=False),
    Column("data", Text, nullable=False),
)
# An external key is unique per resource, as the real systems' unique columns (the CRM's phone).
UNIQUE_KEY = Index("uq_sandbox_records_key", records.c.system, records.c.resource, records.c.key, unique=True)

idempotency = Table(
    "sandbox_idempotency",
    metadata,
    Column("system", String(32), primary_key=True),
    Column("key", String(190), primary_key=True),
    Column("fingerprint", String(64), nullable=False),
    Column("status", Integer, nullable=False),
    Column("body", Text, nullable=False),
)


def laravel_timestamp(moment: datetime | None = None) -> str:
    """Laravel's JSON date format: `2026-11-28T18:22:41.000000Z`."""
    return (moment or clock.utcnow()).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def parse_timestamp(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def _sqlite_pragmas(dbapi_connection: Any, _: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


ID_ATTEMPTS = 20


class DuplicateKey(Exception):
    """A record with this external key exists already (a unique column of the real system)."""

    def __init__(self, existing: dict[str, Any]) -> None:
        super().__init__("a record with this key exists")
        self.existing = existing


class Store:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._engine: AsyncEngine | None = None
        self._lock = asyncio.Lock()
        # Writes in this process one at a time (a simulator; no contention worth having): a
        # check-then-insert is then atomic here, and the unique index settles other processes.
        self.writing = asyncio.Lock()
        self._key_locks: dict[tuple[str, str], asyncio.Lock] = {}
        self.seeded = False

    def idempotency_lock(self, system: str, key: str) -> asyncio.Lock:
        """One request at a time per Idempotency-Key: a concurrent repeat waits for the first answer."""
        if len(self._key_locks) > 10_000:
            self._key_locks = {k: v for k, v in self._key_locks.items() if v.locked()}
        return self._key_locks.setdefault((system, key), asyncio.Lock())

    async def engine(self) -> AsyncEngine:
        if self._engine is None:
            async with self._lock:
                if self._engine is None:
                    self.path.parent.mkdir(parents=True, exist_ok=True)
                    # hide_parameters: an error's text (logged) never carries the records' names,
                    # phones or e-mails.
                    engine = create_async_engine(f"sqlite+aiosqlite:///{self.path}", hide_parameters=True)
                    event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
                    async with engine.begin() as conn:
                        await conn.run_sync(metadata.create_all)
                        await _ensure_unique_key(conn)
                    self._engine = engine
        return self._engine

    async def close(self) -> None:
        if self._engine is not None:
            await self._engine.dispose()
            self._engine = None

    async def is_empty(self) -> bool:
        async with (await self.engine()).connect() as conn:
            return (await conn.execute(select(func.count()).select_from(records))).scalar_one() == 0

    # ------------------------------------------------------------- reading

    async def all(self, system: str, resource: str) -> list[dict[str, Any]]:
        query = (
            select(records.c.data)
            .where(and_(records.c.system == system, records.c.resource == resource))
            .order_by(records.c.updated_at, records.c.id)
        )
        async with (await self.engine()).connect() as conn:
            return [json.loads(row) for row in (await conn.execute(query)).scalars()]

    async def recent(self, system: str, limit: int = 5) -> list[tuple[str, dict[str, Any]]]:
        """The records of a system changed last, newest first, as (resource, record)."""
        query = (
            select(records.c.resource, records.c.data)
            .where(records.c.system == system)
            .order_by(records.c.updated_at.desc(), records.c.id.desc())
            .limit(limit)
        )
        async with (await self.engine()).connect() as conn:
            return [(row.resource, json.loads(row.data)) for row in await conn.execute(query)]

    async def get(self, system: str, resource: str, record_id: int) -> dict[str, Any] | None:
        return await self._one(system, resource, records.c.id == record_id)

    async def get_by_key(self, system: str, resource: str, key: str) -> dict[str, Any] | None:
        return await self._one(system, resource, records.c.key == key)

    async def _one(self, system: str, resource: str, condition: Any) -> dict[str, Any] | None:
        query = select(records.c.data).where(
            and_(records.c.system == system, records.c.resource == resource, condition)
        )
        async with (await self.engine()).connect() as conn:
            row = (await conn.execute(query)).scalars().first()
        return json.loads(row) if row else None

    # ------------------------------------------------------------- writing

    async def insert(
        self,
        system: str,
        resource: str,
        data: dict[str, Any],
        *,
        key: str | None = None,
        at: datetime | None = None,
    ) -> dict[str, Any]:
        """A new record; `DuplicateKey` when its key is taken (the caller answers as the real
        system does: the CRM's 422 "phone already used", an upsert's update)."""
        # Another process (a second sandbox) may read the same next id: the loser tries again with
        # the next one, as a real auto-increment would.
        async with self.writing:
            for _ in range(ID_ATTEMPTS):
                if key is not None and (existing := await self.get_by_key(system, resource, key)):
                    raise DuplicateKey(existing)
                try:
                    return await self._insert_once(system, resource, data, key, at)
                except IntegrityError:
                    continue
        raise RuntimeError(f"could not insert a {system} {resource} record (ids contended)")

    async def _insert_once(
        self, system: str, resource: str, data: dict[str, Any], key: str | None, at: datetime | None
    ) -> dict[str, Any]:
        async with (await self.engine()).begin() as conn:
            next_id = (
                await conn.execute(
                    select(func.coalesce(func.max(records.c.id), 0) + 1).where(
                        and_(records.c.system == system, records.c.resource == resource)
                    )
                )
            ).scalar_one()
            stamp = laravel_timestamp(at)
            record = {"id": next_id, **data, "created_at": stamp, "updated_at": stamp}
            await conn.execute(
                records.insert().values(
                    system=system,
                    resource=resource,
                    id=next_id,
                    key=key,
                    updated_at=stamp,
                    data=json.dumps(record),
                )
            )
        return record

    async def insert_many(self, rows: list[dict[str, Any]]) -> None:
        """Insert ready-made rows (`SeedBatch`) in one transaction."""
        async with (await self.engine()).begin() as conn:
            await conn.execute(records.insert(), rows)

    async def update(
        self, system: str, resource: str, record_id: int, changes: dict[str, Any]
    ) -> dict[str, Any]:
        current = await self.get(system, resource, record_id)
        if current is None:
            raise KeyError(record_id)
        stamp = laravel_timestamp()
        record = {**current, **changes, "id": record_id, "updated_at": stamp}
        async with (await self.engine()).begin() as conn:
            await conn.execute(
                records.update()
                .where(
                    and_(
                        records.c.system == system, records.c.resource == resource, records.c.id == record_id
                    )
                )
                .values(updated_at=stamp, data=json.dumps(record))
            )
        return record

    async def upsert_by_key(
        self, system: str, resource: str, key: str, data: dict[str, Any]
    ) -> tuple[dict[str, Any], bool]:
        current = await self.get_by_key(system, resource, key)
        if current is None:
            try:
                return await self.insert(system, resource, data, key=key), True
            except DuplicateKey as duplicate:  # created meanwhile: update it
                current = duplicate.existing
        unchanged = all(current.get(k) == v for k, v in data.items())
        if unchanged:
            return current, False
        return await self.update(system, resource, current["id"], data), False

    # --------------------------------------------------------- idempotency

    async def recall(self, system: str, key: str) -> tuple[str, int, Any] | None:
        query = select(idempotency.c.fingerprint, idempotency.c.status, idempotency.c.body).where(
            and_(idempotency.c.system == system, idempotency.c.key == key)
        )
        async with (await self.engine()).connect() as conn:
            row = (await conn.execute(query)).first()
        return (row.fingerprint, row.status, json.loads(row.body)) if row else None

    async def remember(self, system: str, key: str, fingerprint: str, status: int, body: Any) -> None:
        """Keep the answer for repeats; the first answer stays if another process kept one."""
        try:
            async with (await self.engine()).begin() as conn:
                await conn.execute(
                    idempotency.insert().values(
                        system=system, key=key, fingerprint=fingerprint, status=status, body=json.dumps(body)
                    )
                )
        except IntegrityError:
            return


async def _ensure_unique_key(conn: Any) -> None:
    """A sandbox file from before the unique key gets it (its old duplicates, if any, keep the
    plain index it had: a simulator's data, not worth failing the start for)."""
    try:
        async with conn.begin_nested():
            await conn.run_sync(lambda sync: UNIQUE_KEY.create(sync, checkfirst=True))
    except IntegrityError:
        plain = "CREATE INDEX IF NOT EXISTS ix_sandbox_records_key ON sandbox_records (system, resource, key)"
        await conn.execute(text(plain))


class SeedBatch:
    """Collects records like `Store.insert` does (ids per system and resource, timestamps), to write
    them in one transaction."""

    def __init__(self) -> None:
        self.rows: list[dict[str, Any]] = []
        self._next: dict[tuple[str, str], int] = {}

    async def insert(
        self,
        system: str,
        resource: str,
        data: dict[str, Any],
        *,
        key: str | None = None,
        at: datetime | None = None,
    ) -> dict[str, Any]:
        record_id = self._next.get((system, resource), 0) + 1
        self._next[(system, resource)] = record_id
        stamp = laravel_timestamp(at)
        record = {"id": record_id, **data, "created_at": stamp, "updated_at": stamp}
        self.rows.append(
            {
                "system": system,
                "resource": resource,
                "id": record_id,
                "key": key,
                "updated_at": stamp,
                "data": json.dumps(record),
            }
        )
        return record
