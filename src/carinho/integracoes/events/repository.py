"""All queries on `integration_events`. Payloads go through the cipher (encryption at rest)."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, TypeVar

from sqlalchemy import Select, Table, func, select
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncSession

from carinho.integracoes.events.models import IntegrationEvent
from carinho.kit.crypto import PayloadCipher
from carinho.kit.db import BIGINT_MAX
from carinho.kit.fast_ingest.batch_sql import insert_returning, select_in
from carinho.kit.repository import Repository
from carinho.kit.sql_time import elapsed_ms_bucket, epoch_bucket

Selected = TypeVar("Selected", bound=Select[*tuple[Any, ...]])

# How far an event's id may be out of its creation time's order (see EventRepository._period_ids).
PERIOD_ID_MARGIN = timedelta(days=1)


@dataclass(frozen=True)
class StoredKey:
    event_id: int
    status: str


@dataclass(frozen=True)
class EventFilters:
    source: str | None = None
    event_type: str | None = None
    status: str | None = None
    created_from: datetime | None = None
    created_to: datetime | None = None
    idempotency_key: str | None = None
    # Keyed hashes of a phone or an e-mail (events/contacts.py), never the values.
    phone_hash: str | None = None
    email_hash: str | None = None


class EventRepository(Repository[IntegrationEvent]):
    model = IntegrationEvent

    def __init__(self, session: AsyncSession, cipher: PayloadCipher) -> None:
        super().__init__(session)
        self.cipher = cipher

    def decode_payload(self, stored: str) -> dict[str, Any]:
        value = json.loads(self.cipher.decrypt(stored))
        return value if isinstance(value, dict) else {"value": value}

    async def raw_body(self, event_id: int) -> bytes | None:
        stored = (
            await self.session.execute(
                select(IntegrationEvent.raw_body).where(IntegrationEvent.id == event_id)
            )
        ).scalar_one_or_none()
        return decode_raw_body(self.cipher, stored)

    async def page(
        self, filters: EventFilters, before_id: int | None, limit: int, after_id: int | None = None
    ) -> Sequence[IntegrationEvent]:
        """Newest first; `before_id` is the cursor (ids only grow); `after_id`: only newer events."""
        e = IntegrationEvent
        query = select(e)
        if filters.idempotency_key:
            query = query.where(e.idempotency_key == filters.idempotency_key)
        if filters.phone_hash:
            query = query.where(e.contact_phone_hash == filters.phone_hash)
        if filters.email_hash:
            query = query.where(e.contact_email_hash == filters.email_hash)
        if filters.source:
            query = query.where(e.source == filters.source)
        if filters.event_type:
            query = query.where(e.event_type == filters.event_type)
        if filters.status:
            query = query.where(e.status == filters.status)
        if filters.created_from or filters.created_to:
            low, high = await self._period_ids(filters.created_from, filters.created_to)
            query = query.where(e.id > low, e.id < high)
        if filters.created_from:
            query = query.where(e.created_at >= filters.created_from)
        if filters.created_to:
            query = query.where(e.created_at < filters.created_to)
        if before_id is not None:
            query = query.where(e.id < before_id)
        if after_id is not None:
            query = query.where(e.id > after_id)
        result = await self.session.execute(query.order_by(e.id.desc()).limit(limit))
        return result.scalars().all()

    async def _period_ids(self, since: datetime | None, until: datetime | None) -> tuple[int, int]:
        """Ids (exclusive) between which every event created in [since, until) lies: that of the last
        event created more than PERIOD_ID_MARGIN before `since`, and that of the first created that
        long after `until` (0 and BIGINT_MAX when there is none: the statement keeps its shape, so
        its plan). The list's own order is by id: with this id range beside the period, the id
        index or a status's or a type's (x, id) one is read backwards from the period's end, not
        from today (a week a month ago of dead events: ~0.3 s through a month of newer ones
        before), and nothing sorts the period's events. Ids and creation times grow together up
        to a batch's commit; the margin is far wider."""
        e = IntegrationEvent
        low, high = 0, BIGINT_MAX
        if since is not None:
            before = select(e.id).where(e.created_at < since - PERIOD_ID_MARGIN)
            found = (await self.session.execute(before.order_by(e.created_at.desc()).limit(1))).scalar()
            low = low if found is None else int(found)
        if until is not None:
            after = select(e.id).where(e.created_at >= until + PERIOD_ID_MARGIN)
            found = (await self.session.execute(after.order_by(e.created_at).limit(1))).scalar()
            high = high if found is None else int(found)
        return low, high

    async def last_id(self) -> int:
        return int((await self.session.execute(select(func.max(IntegrationEvent.id)))).scalar() or 0)

    async def id_before(self, since: datetime) -> int:
        """An id below every event created from `since` on (see `_period_ids`), 0 when there is none."""
        low, _ = await self._period_ids(since, None)
        return low

    async def id_of_last_created_before(self, moment: datetime) -> int:
        """The id of the newest event created before `moment` (one step of the creation-time index), 0
        when there is none. Not a bound on every id of those events, as `id_before` is."""
        e = IntegrationEvent
        found = await self.session.execute(
            select(e.id).where(e.created_at < moment).order_by(e.created_at.desc()).limit(1)
        )
        return int(found.scalar() or 0)

    async def received_per_minute(self, after_id: int, through_id: int) -> list[tuple[int, str, int]]:
        """(minute since 1970, source, events) of the events with ids in (after_id, through_id]: a
        range of the primary key, so a caller that remembers what it read reads only what is new."""
        e = IntegrationEvent
        minute = epoch_bucket(e.created_at, 60)
        rows = await self.session.execute(
            select(minute, e.source, func.count())
            .where(e.id > after_id, e.id <= through_id)
            .group_by(minute, e.source)
        )
        return [(int(m), str(source), int(n)) for m, source, n in rows]

    async def count_created_between(self, statuses: Iterable[str], since: datetime, until: datetime) -> int:
        """Events in one of `statuses` created in [since, until]: each status's (status, id) index
        from the period's ids on — cheap for the rare statuses (failed, dead), never a walk
        through every event of the period."""
        e = IntegrationEvent
        low, high = await self._period_ids(since, until)
        result = await self.session.execute(
            select(func.count()).where(
                e.status.in_(list(statuses)),
                e.id > low,
                e.id < high,
                e.created_at >= since,
                e.created_at <= until,
            )
        )
        return int(result.scalar_one())

    async def count_by(
        self, column_name: str, since: datetime | None = None, until: datetime | None = None
    ) -> dict[str, int]:
        """Events per value of a column, all of them or those created in [since, until]."""
        column = getattr(IntegrationEvent, column_name)
        query = _created_between(select(column, func.count()).group_by(column), since, until)
        rows = await self.session.execute(query)
        return {str(value): int(count) for value, count in rows}

    async def window_counts(self, since: datetime, until: datetime) -> list[tuple[str, str, str, int]]:
        """(status, event type, source, count) of the events created in [since, until]: one pass
        over the created_at index for every breakdown of a window."""
        e = IntegrationEvent
        grouped = select(e.status, e.event_type, e.source, func.count()).group_by(
            e.status, e.event_type, e.source
        )
        rows = await self.session.execute(_created_between(grouped, since, until))
        return [(str(status), str(type_), str(source), int(n)) for status, type_, source, n in rows]

    async def processing_time_histogram(self, since: datetime) -> list[tuple[float, int]]:
        """(seconds from creation to processing, events) of the events processed since `since`,
        the durations rounded to three significant digits: the database reads the covering
        (processed_at, created_at) index and returns a few hundred counts, not every event's
        timestamps (a busy day is tens of thousands)."""
        e = IntegrationEvent
        bucket = elapsed_ms_bucket(e.created_at, e.processed_at)
        rows = await self.session.execute(
            select(bucket, func.count())
            .where(e.processed_at.is_not(None), e.processed_at >= since)
            .group_by(bucket)
        )
        return [(max(0.0, float(ms)) / 1000, int(n)) for ms, n in rows if ms is not None]


def _created_between(query: Selected, since: datetime | None, until: datetime | None) -> Selected:
    """`query` narrowed to events created in [since, until]. Give both ends: with a one-sided range
    SQLite (no statistics) prefers to scan a whole index already in GROUP BY order — the status
    index or the (source, key) one, a million rows — over the created_at index for a few minutes."""
    if since is not None:
        query = query.where(IntegrationEvent.created_at >= since)
    if until is not None:
        query = query.where(IntegrationEvent.created_at <= until)
    return query


# A raw body that is not UTF-8 (JSON may come in UTF-16 or UTF-32) is kept in base64 behind this
# prefix; a JSON text never starts with it, nor with the cipher's `enc:`.
_BASE64 = "base64:"


def encode_raw_body(cipher: PayloadCipher, raw: bytes | None) -> str | None:
    """The bytes as stored: their UTF-8 text (`base64:` + base64 if they are not UTF-8), encrypted
    like the payload. Decoding gives back the very same bytes."""
    if raw is None:
        return None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        text = _BASE64 + base64.b64encode(raw).decode("ascii")
    return cipher.encrypt(text)


def decode_raw_body(cipher: PayloadCipher, stored: str | None) -> bytes | None:
    if stored is None:
        return None
    text = cipher.decrypt(stored)
    if text.startswith(_BASE64):
        return base64.b64decode(text[len(_BASE64) :])
    return text.encode("utf-8")


# Built once: json.dumps with options builds an encoder per call.
_PAYLOAD_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))


class EventBatchRepository:
    """The queries of storing a batch of new events, on a synchronous connection (see
    `EventService.store_batch_sync`: run in a worker thread on SQLite, or through `run_sync`)."""

    def __init__(self, connection: Connection, cipher: PayloadCipher) -> None:
        self.connection = connection
        self.cipher = cipher

    def encode_payload(self, payload: dict[str, Any] | str) -> str:
        """The payload as stored: its JSON text (`payload` itself if already text), encrypted."""
        text = payload if isinstance(payload, str) else _PAYLOAD_ENCODER.encode(payload)
        return self.cipher.encrypt(text)

    def encode_raw_body(self, raw: bytes | None) -> str | None:
        return encode_raw_body(self.cipher, raw)

    def insert_many(self, rows: list[dict[str, Any]]) -> dict[tuple[str, str], int]:
        """Multi-row INSERT; the new ids by (source, idempotency key)."""
        table: Table = IntegrationEvent.__table__  # type: ignore[assignment]
        result = insert_returning(self.connection, table, rows, ("id", "source", "idempotency_key"))
        return {(row.source, row.idempotency_key): row.id for row in result}

    def find_keys(self, keys: Iterable[tuple[str, str]]) -> dict[tuple[str, str], StoredKey]:
        """The stored events among these (source, idempotency key) pairs."""
        by_source: dict[str, set[str]] = {}
        for source, key in keys:
            by_source.setdefault(source, set()).add(key)
        table: Table = IntegrationEvent.__table__  # type: ignore[assignment]
        found: dict[tuple[str, str], StoredKey] = {}
        for source, source_keys in by_source.items():
            rows = select_in(
                self.connection,
                table,
                ("id", "idempotency_key", "status"),
                equal=("source", source),
                among=("idempotency_key", sorted(source_keys)),
            )
            found.update({(source, r.idempotency_key): StoredKey(r.id, r.status) for r in rows})
        return found
