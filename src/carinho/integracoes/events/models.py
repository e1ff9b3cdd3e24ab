from __future__ import annotations

import random
import time
from datetime import datetime
from enum import StrEnum

from sqlalchemy import Index, Integer, String, Text, UniqueConstraint, text
from sqlalchemy.dialects import mysql
from sqlalchemy.orm import Mapped, mapped_column

from carinho.integracoes.database import Base
from carinho.kit.db import IdMixin, TimestampMixin, UTCDateTime

LongText = Text().with_variant(mysql.LONGTEXT(), "mysql")


def new_event_uid() -> str:
    """A UUID version 7 (RFC 9562) as 32 hex digits: the Unix time in ms, then 74 random bits.

    Time first, so that new events' uids land at the end of the unique uid index, as their ids do.
    A random (version 4) uid put each event of a group-commit batch on a leaf page of its own, all
    written to the WAL at every commit: with the random contact-hash index, the ingest's regression
    (docs/benchmarks.md). The random bits come from the process's PRNG (reseeded in a forked
    child), as request ids do: a uid must not repeat, it guards nothing, and uuid4 reads the OS
    entropy pool (a system call) for every event."""
    bits = random.getrandbits(74)
    value = (time.time_ns() // 1_000_000) << 80 | 0x7 << 76 | (bits >> 62) << 64 | 0b10 << 62
    return f"{value | (bits & (2**62 - 1)):032x}"


def global_event_id(uid: str) -> str:
    """The event's id outside this database (`webhook-id`, the root of every outbound key): from its
    stored UUID, so a second hub, a restored backup or a reset database never repeats one."""
    return f"evt_{uid}"


class EventStatus(StrEnum):
    received = "received"  # stored; its processing job is queued
    processing = "processing"
    processed = "processed"
    failed = "failed"  # a step failed; a retry is scheduled (next_attempt_at)
    dead = "dead"  # retries exhausted: in the DLQ
    ignored = "ignored"  # accepted and stored, but no flow handles this type


class IntegrationEvent(IdMixin, TimestampMixin, Base):
    """The seed's `integration_events`. `payload` is the normalised JSON document, stored as text
    so that it can be encrypted at rest (`enc:` prefix) without a schema change. `raw_body` keeps the
    exact bytes of a Z-API callback, which the hub forwards to atendimento unchanged (see
    `EventBatchRepository.encode_raw_body`); NULL for every other event."""

    __tablename__ = "integration_events"
    __table_args__ = (
        UniqueConstraint("source", "idempotency_key", name="uq_integration_events_source_key"),
        Index("ix_integration_events_status_next_attempt_at", "status", "next_attempt_at"),
        # The console's lists, newest first within a status, a type or a source (ORDER BY id DESC
        # LIMIT n walks the index backwards and stops; see bench/run_console.py).
        Index("ix_integration_events_status_id", "status", "id"),
        Index("ix_integration_events_type_id", "event_type", "id"),
        Index("ix_integration_events_source_id", "source", "id"),
        Index("ix_integration_events_created_at", "created_at"),
        # The stats' processing latencies (events processed since an instant); partial where the
        # database can, so that inserting an event, unprocessed, does not touch it.
        Index(
            "ix_integration_events_processed_at_created_at",
            "processed_at",
            "created_at",  # the latencies come from the index alone
            sqlite_where=text("processed_at IS NOT NULL"),
            postgresql_where=text("processed_at IS NOT NULL"),
        ),
        # The console's search by phone or e-mail (see events/contacts.py), newest first.
        # Partial where the database can: most events carry no contact and cost these indexes nothing.
        Index(
            "ix_integration_events_phone_hash",
            "contact_phone_hash",
            "id",
            sqlite_where=text("contact_phone_hash IS NOT NULL"),
            postgresql_where=text("contact_phone_hash IS NOT NULL"),
        ),
        Index(
            "ix_integration_events_email_hash",
            "contact_email_hash",
            "id",
            sqlite_where=text("contact_email_hash IS NOT NULL"),
            postgresql_where=text("contact_email_hash IS NOT NULL"),
        ),
        Index("ix_integration_events_idempotency_key", "idempotency_key", "id"),
        UniqueConstraint("uid", name="uq_integration_events_uid"),
    )

    uid: Mapped[str] = mapped_column(String(32), nullable=False, default=new_event_uid)
    source: Mapped[str] = mapped_column(String(40), nullable=False)
    event_type: Mapped[str] = mapped_column(String(80), nullable=False)
    idempotency_key: Mapped[str] = mapped_column(String(190), nullable=False)
    payload: Mapped[str] = mapped_column(LongText, nullable=False)
    raw_body: Mapped[str | None] = mapped_column(LongText, nullable=True, deferred=True)
    status: Mapped[str] = mapped_column(String(16), nullable=False, default=EventStatus.received)
    lane: Mapped[str] = mapped_column(String(40), nullable=False)
    attempts: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    request_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    processed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # Set when the personal content was removed (retention or a data-subject erase): the row keeps
    # what an audit needs (ids, source, type, times, status) and its payload says why it is empty.
    anonymised_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # Keyed hashes of the payload's first phone and e-mail (never the values): see events/contacts.py.
    contact_phone_hash: Mapped[str | None] = mapped_column(String(64), nullable=True)
    contact_email_hash: Mapped[str | None] = mapped_column(String(64), nullable=True)
