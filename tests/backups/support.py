"""Helpers of the backup tests: hub events written as the webhooks write them (each event and its
processing job in one transaction), and a read of what a database holds."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.engine import make_url

from carinho.integracoes.events.models import IntegrationEvent
from carinho.integracoes.events.service import NewEvent, event_service
from carinho.kit.db import Database
from carinho.runtime import CONTEXTS, Runtime, context_spec
from tests.support import services

BACKENDS = {"sqlite": "sqlite", "mysql": "mariadb", "postgresql": "postgresql"}


def event(n: int) -> NewEvent:
    return NewEvent(
        source="site",
        event_type="lead.created",
        idempotency_key=f"k{n}",
        payload={"n": n, "note": f"lead number {n} " + "x" * 400},
    )


async def write_events(rt: Runtime, numbers: range, per_transaction: int = 1) -> None:
    items = list(numbers)
    for start in range(0, len(items), per_transaction):
        async with rt.db("integracoes").session() as session:
            await event_service.store_batch(
                session, [event(n) for n in items[start : start + per_transaction]]
            )
            await session.commit()


class Writer:
    """Commits one event (with its job) after another until stopped; `committed` is how many are."""

    def __init__(self, rt: Runtime, first: int) -> None:
        self.rt = rt
        self.next = first
        self.committed = first - 1
        self.started = asyncio.Event()
        self._stop = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    async def _run(self) -> None:
        while not self._stop.is_set():
            await write_events(self.rt, range(self.next, self.next + 1))
            self.committed = self.next
            self.next += 1
            self.started.set()

    def start(self) -> None:
        self._task = asyncio.create_task(self._run())

    async def stop(self) -> None:
        self._stop.set()
        assert self._task is not None
        await self._task


async def hub_state(url: str) -> tuple[list[str], set[int], set[int]]:
    """(the events' idempotency keys in id order, the events' ids, the event ids of their jobs)."""
    db = Database(url, pool_size=1)
    outbox = context_spec("integracoes").outbox
    try:
        async with db.session() as session:
            rows = (
                await session.execute(
                    select(IntegrationEvent.id, IntegrationEvent.idempotency_key).order_by(
                        IntegrationEvent.id
                    )
                )
            ).all()
            jobs = (await session.execute(select(outbox.args))).scalars().all()
    finally:
        await db.dispose()
    return [key for _, key in rows], {i for i, _ in rows}, {int(args["event_id"]) for args in jobs}


@asynccontextmanager
async def empty_databases(url: str, folder: Path) -> AsyncIterator[dict[str, str]]:
    """New, empty databases (never migrated) for both contexts, on the backend of `url`."""
    backend = BACKENDS[make_url(url).get_backend_name()]
    names = {ctx: services.unique_name(f"bk_{ctx[:5]}") for ctx in CONTEXTS}
    urls = {
        ctx: await asyncio.to_thread(services.create_database, backend, names[ctx], str(folder))
        for ctx in CONTEXTS
    }
    try:
        yield urls
    finally:
        for ctx in CONTEXTS:
            await asyncio.to_thread(services.drop_database, backend, names[ctx])
