"""Storing one inbound event durably: through the fast ingest's group commit (`kit/fast_ingest`), or,
with `INGEST_FAST_PATH=false`, in a transaction of its own, as any request stores its work."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy.engine import Connection

from carinho.integracoes.events.service import IngestResult, NewEvent, event_service
from carinho.kit.fast_ingest.group_commit import committer_for, store_in_session
from carinho.runtime import Runtime
from carinho.worker.jobs import publish_all


def store_events(connection: Connection, items: Sequence[NewEvent]) -> tuple[list[IngestResult], list[Any]]:
    return event_service.store_batch_sync(connection, items, event_service.cipher())


async def ingest(rt: Runtime, item: NewEvent) -> IngestResult:
    """Store one inbound event durably (committed on return)."""
    settings, db = rt.settings, rt.db("integracoes")
    if not settings.ingest_fast_path:
        results, pending = await store_in_session(db, store_events, [item], plain_sql=True)
        publish_all(pending)
        return results[0]
    committer = committer_for(
        db, store_events, publish_all, settings.ingest_batch_max, settings.ingest_batch_wait_ms / 1000
    )
    return await committer.submit(item)
