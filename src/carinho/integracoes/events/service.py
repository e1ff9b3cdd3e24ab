"""Integration events: durable, idempotent storage (with the processing job in the same transaction),
listing, detail and statistics."""

from __future__ import annotations

import base64
import binascii
import hashlib
import math
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncSession

from carinho.errors import BadRequest
from carinho.integracoes.events.contacts import contact_hashes, lookup_hashes
from carinho.integracoes.events.models import EventStatus, IntegrationEvent, new_event_uid
from carinho.integracoes.events.repository import (
    EventBatchRepository,
    EventFilters,
    EventRepository,
    StoredKey,
    decode_raw_body,
)
from carinho.integracoes.events.schemas import EventDetail, EventOut, EventPage, EventStats, WindowStats
from carinho.integracoes.flows import registry as flows
from carinho.kit.clock import utcnow
from carinho.kit.crypto import PayloadCipher, cipher_for
from carinho.kit.db import BIGINT_MAX
from carinho.worker import Lane
from carinho.worker.jobs import Publish, enqueue_many, publish_after_commit

MAX_KEY_LENGTH = 190  # the unique index's limit on MariaDB


def normalize_key(key: str) -> str:
    """Keys longer than the index allows are replaced by their SHA-256 (still unique per source)."""
    if len(key) <= MAX_KEY_LENGTH:
        return key
    return "sha256:" + hashlib.sha256(key.encode()).hexdigest()


def body_key(raw: bytes) -> str:
    return "sha256:" + hashlib.sha256(raw).hexdigest()


@dataclass
class NewEvent:
    """An accepted inbound event, ready to be stored."""

    source: str
    event_type: str
    idempotency_key: str
    # The event's data, or the JSON text of it when already encoded (the webhooks' Pydantic models
    # write theirs at a third of the cost of `json`).
    payload: dict[str, Any] | str
    # Stored as `ignored` even if a flow handles its type (e.g. WhatsApp group messages).
    ignored: bool = False
    request_id: str | None = None
    # The exact bytes received, kept when they are forwarded as they came (Z-API callbacks).
    raw_body: bytes | None = None


@dataclass(frozen=True)
class IngestResult:
    event_id: int
    status: str
    duplicate: bool


DetailLoader = Callable[[AsyncSession, int], Awaitable[list[dict[str, Any]]]]


@dataclass
class _DetailLoaders:
    steps: DetailLoader | None = None
    deliveries: DetailLoader | None = None
    extra: dict[str, DetailLoader] = field(default_factory=dict)


_detail_loaders = _DetailLoaders()


def register_detail_loader(section: str, loader: DetailLoader) -> None:
    """Extension point for `GET /api/events/{id}`: the processing side registers how to load an
    event's `steps` and `deliveries` (with their attempts) as JSON-ready dicts."""
    if section not in ("steps", "deliveries"):
        raise ValueError(f"unknown event detail section {section!r}")
    setattr(_detail_loaders, section, loader)


@dataclass(frozen=True)
class RecentWindow:
    total: int
    by_source: dict[str, int]
    error_rate: float  # (failed + dead) / total
    processed: int
    latency_p50_seconds: float | None
    latency_p95_seconds: float | None


def _processing(times: list[tuple[float, int]]) -> dict[str, Any]:
    """A window's processed events and their p50/p95 from the durations' histogram."""
    return {
        "processed": sum(count for _, count in times),
        "latency_p50_seconds": _percentile(times, 0.50),
        "latency_p95_seconds": _percentile(times, 0.95),
    }


def _percentile(histogram: Sequence[tuple[float, int]], fraction: float) -> float | None:
    """Nearest-rank percentile of a histogram of (value, count)."""
    total = sum(count for _, count in histogram)
    if not total:
        return None
    rank = min(total, max(1, math.ceil(fraction * total)))
    seen = 0
    for value, count in sorted(histogram):
        seen += count
        if seen >= rank:
            return round(value, 6)
    raise AssertionError("unreachable: the ranks add up to the total")


def encode_cursor(event_id: int) -> str:
    return base64.urlsafe_b64encode(str(event_id).encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> int:
    try:
        value = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        event_id = int(value)
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise BadRequest("invalid cursor") from None
    if not 1 <= event_id <= BIGINT_MAX:
        raise BadRequest("invalid cursor")
    return event_id


def to_out(event: IntegrationEvent) -> EventOut:
    return EventOut(
        id=event.id,
        source=event.source,
        type=event.event_type,
        status=event.status,
        lane=event.lane,
        idempotency_key=event.idempotency_key,
        attempts=event.attempts,
        next_attempt_at=event.next_attempt_at,
        last_error=event.last_error,
        request_id=event.request_id,
        created_at=event.created_at,
        updated_at=event.updated_at,
        processed_at=event.processed_at,
        anonymised_at=event.anonymised_at,
    )


class EventService:
    def repository(self, session: AsyncSession, cipher: PayloadCipher | None = None) -> EventRepository:

        return EventRepository(session, cipher or self.cipher())

    def cipher(self) -> PayloadCipher:
        from carinho import runtime

        return cipher_for(runtime.current().settings.payload_encryption_keys.get_secret_value())

    def contact_secret(self) -> str:
        """The key of the phone and e-mail lookup hashes (see events/contacts.py)."""
        from carinho import runtime

        return runtime.current().settings.session_secret.get_secret_value()

    async def store_batch(self, session: AsyncSession, items: Sequence[NewEvent]) -> list[IngestResult]:
        """`store_batch_sync` in the caller's async session and transaction (its jobs are published
        when the session commits)."""
        cipher = self.cipher()
        results, pending = await session.run_sync(
            lambda sync_session: self.store_batch_sync(sync_session.connection(), items, cipher)
        )
        publish_after_commit(session, pending)
        return results

    def store_batch_sync(
        self, connection: Connection, items: Sequence[NewEvent], cipher: PayloadCipher
    ) -> tuple[list[IngestResult], list[Publish]]:
        """Store the new events and their processing jobs; duplicates (already stored, or repeated
        within the batch) get the first event's id. Also returns the processing jobs to publish once
        the caller has committed. The caller commits; a unique-key race with another transaction
        surfaces as IntegrityError at insert or commit, and the caller retries.

        Synchronous on purpose: the group commit runs it whole in a worker thread on SQLite (one
        thread hop per batch), and through `AsyncSession.run_sync` on the server databases."""
        repo = EventBatchRepository(connection, cipher)
        first_of: dict[tuple[str, str], int] = {}
        for index, item in enumerate(items):
            first_of.setdefault((item.source, item.idempotency_key), index)
        stored = repo.find_keys(first_of)
        now = utcnow()
        secret = self.contact_secret()
        fresh = {
            key: self._new_row(repo, items[index], now, secret)
            for key, index in first_of.items()
            if key not in stored
        }
        ids = repo.insert_many(list(fresh.values())) if fresh else {}
        to_process = [
            (ids[key], row["lane"]) for key, row in fresh.items() if row["status"] == EventStatus.received
        ]
        pending = enqueue_many(
            connection,
            flows.PROCESS_EVENT_JOB,
            [{"event_id": event_id} for event_id, _ in to_process],
            lanes=[Lane(lane) for _, lane in to_process],
        )
        results: list[IngestResult] = []
        for index, item in enumerate(items):
            key = (item.source, item.idempotency_key)
            if key in fresh:
                results.append(IngestResult(ids[key], fresh[key]["status"], duplicate=index != first_of[key]))
            else:
                found: StoredKey = stored[key]
                results.append(IngestResult(found.event_id, found.status, duplicate=True))
        return results, pending

    def _new_row(
        self, repo: EventBatchRepository, item: NewEvent, now: datetime, contact_secret: str
    ) -> dict[str, Any]:
        handled = flows.handles(item.event_type) and not item.ignored
        contacts = contact_hashes(contact_secret, item.payload)
        return {
            "uid": new_event_uid(),
            "source": item.source,
            "event_type": item.event_type,
            "idempotency_key": item.idempotency_key,
            "payload": repo.encode_payload(item.payload),
            "raw_body": repo.encode_raw_body(item.raw_body),
            "status": (EventStatus.received if handled else EventStatus.ignored).value,
            "lane": flows.lane_for(item.event_type, item.source).value,
            "attempts": 0,
            "request_id": item.request_id,
            "contact_phone_hash": contacts.phone,
            "contact_email_hash": contacts.email,
            "created_at": now,
            "updated_at": now,
        }

    def with_contact(self, filters: EventFilters, contact: str | None) -> EventFilters:
        """`filters` narrowed to the events of a phone or an e-mail (looked up by its keyed hash)."""
        if not contact or not contact.strip():
            return filters
        hashes = lookup_hashes(self.contact_secret(), contact)
        if hashes.phone is None and hashes.email is None:
            raise BadRequest(
                "Telefone ou e-mail inválido: informe um telefone com DDD ou um e-mail completo."
            )
        return replace(filters, phone_hash=hashes.phone, email_hash=hashes.email)

    async def page(
        self,
        session: AsyncSession,
        filters: EventFilters,
        cursor: str | None,
        limit: int,
        *,
        after_id: int | None = None,
    ) -> EventPage:
        """Newest first, `limit` at a time (`next_cursor` for the next page); with `after_id`, only
        events newer than it (the console's live list asks for what arrived since it drew)."""
        before = decode_cursor(cursor) if cursor else None
        rows = await self.repository(session).page(filters, before, limit + 1, after_id)
        items = [to_out(row) for row in rows[:limit]]
        next_cursor = encode_cursor(items[-1].id) if len(rows) > limit and items else None
        return EventPage(items=items, next_cursor=next_cursor)

    async def detail(self, session: AsyncSession, event_id: int) -> EventDetail:
        repo = self.repository(session)
        event = await repo.get_or_404(event_id, f"event {event_id} not found")
        detail = EventDetail(**to_out(event).model_dump(), payload=repo.decode_payload(event.payload))
        if _detail_loaders.steps is not None:
            detail.steps = await _detail_loaders.steps(session, event_id)
        if _detail_loaders.deliveries is not None:
            detail.deliveries = await _detail_loaders.deliveries(session, event_id)
        return detail

    async def payload(self, session: AsyncSession, event: IntegrationEvent) -> dict[str, Any]:
        """The decrypted payload of an event (for the processing side)."""
        return self.repository(session).decode_payload(event.payload)

    def loaded_raw_body(self, session: AsyncSession, event: IntegrationEvent) -> bytes | None:
        """The exact bytes of an event read with its raw body (a deferred column): no statement."""
        return decode_raw_body(self.repository(session).cipher, event.raw_body)

    async def raw_body(self, session: AsyncSession, event_id: int) -> bytes | None:
        """The exact bytes the event arrived with (Z-API callbacks), None when they were not kept."""
        return await self.repository(session).raw_body(event_id)

    async def stats(self, session: AsyncSession) -> EventStats:
        now = utcnow()
        return EventStats(
            generated_at=now,
            by_status=await self.repository(session).count_by("status"),
            **await self.windows(session, now),
        )

    async def windows(self, session: AsyncSession, now: datetime | None = None) -> dict[str, WindowStats]:
        """The last hour's and the last day's figures with every breakdown (`GET /api/events/stats`;
        the console's overview reads `recent_window` instead, which never counts the window's rows)."""
        repo, now = self.repository(session), now or utcnow()
        return {
            "last_hour": await self._window(repo, now - timedelta(hours=1), now),
            "last_day": await self._window(repo, now - timedelta(days=1), now),
        }

    async def _window(self, repo: EventRepository, since: datetime, until: datetime) -> WindowStats:
        by_status: dict[str, int] = {}
        by_type: dict[str, int] = {}
        by_source: dict[str, int] = {}
        for status, event_type, source, n in await repo.window_counts(since, until):
            by_status[status] = by_status.get(status, 0) + n
            by_type[event_type] = by_type.get(event_type, 0) + n
            by_source[source] = by_source.get(source, 0) + n
        total = sum(by_status.values())
        errors = by_status.get(EventStatus.failed, 0) + by_status.get(EventStatus.dead, 0)
        times = await repo.processing_time_histogram(since)
        return WindowStats(
            total=total,
            by_status=by_status,
            by_type=by_type,
            by_source=by_source,
            error_rate=round(errors / total, 6) if total else 0.0,
            **_processing(times),
        )

    async def recent_window(
        self, session: AsyncSession, received_by_source: dict[str, int], since: datetime, until: datetime
    ) -> RecentWindow:
        """The overview's figures of the events created in [since, until], given how many each source
        sent (ops/received.py keeps those): the failed and dead ones are counted through their status
        index, the processing times through the covering (processed_at, created_at) one."""
        repo = self.repository(session)
        total = sum(received_by_source.values())
        failing = [EventStatus.failed.value, EventStatus.dead.value]
        errors = await repo.count_created_between(failing, since, until) if total else 0
        times = await repo.processing_time_histogram(since)
        return RecentWindow(
            total=total,
            by_source=received_by_source,
            error_rate=round(errors / total, 6) if total else 0.0,
            **_processing(times),
        )


event_service = EventService()
