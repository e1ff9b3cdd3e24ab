"""Active mappings cached per process, reloaded when the database's generation counter moves.

Every mapping change bumps the counter row (`integration_mapping_generation`) in the change's own
transaction. A use of the cache knows the counter in one of two ways:

- `get(session, ...)`: it reads the counter (one primary-key read) and reloads when it moved. The API
  (the test endpoint), the syncs and the deliveries' payloads use it so.
- `get(session, ..., known=key)`: the caller read the counter already, with another statement it
  had to run anyway. A flow run reads it with its event row at its start (`FlowRepository
  .event_for_run`, a scalar subquery of the same SELECT) and every render of the run passes that key:
  no statement at all when it is the cached one, which was ~8 primary-key reads per WhatsApp first
  contact (bench/run_sql_counts.py).

Why once per run and not a time-bounded staleness per process: the run's key is read after the
event was stored and after every change that committed before the run began, in every process
(API or worker, any backend), so a publish or a rollback the caller has seen committed is used by
every run that begins after it — the promise the per-render read kept, at no statement and with no
clock. A change that commits while a run is in progress is used from that event's next run (a
retry, a deferred step) and by every later event; before, the run's later steps would have seen it,
so one run could mix two versions — now a run renders with one set of mappings throughout.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import AsyncSession

from carinho.integracoes.mappings.repository import MappingRepository

# (database url, generation token, generation): the token tells a recreated database from the old.
GenerationKey = tuple[str, str, int]


@dataclass(frozen=True)
class ActiveMapping:
    event_type: str
    target_system: str
    version: int
    spec: str


@dataclass
class _Snapshot:
    key: GenerationKey = ("", "", -1)
    mappings: dict[tuple[str, str], ActiveMapping] = field(default_factory=dict)


def generation_key(session: AsyncSession, token: str | None, generation: int | None) -> GenerationKey:
    """The cache key of the counter's values as read in `session` (NULLs: the row is missing)."""
    bind = session.get_bind()
    return (str(getattr(bind, "url", "")), token or "", generation or 0)


class MappingCache:
    def __init__(self) -> None:
        self._snapshot = _Snapshot()
        self._lock = asyncio.Lock()
        self.reloads = 0

    async def get(
        self,
        session: AsyncSession,
        event_type: str,
        target_system: str,
        *,
        known: GenerationKey | None = None,
    ) -> ActiveMapping | None:
        """The pair's active mapping. `known`: the counter as the caller read it (a flow run, at its
        start); served from memory without a statement when the cache holds that generation."""
        snapshot = self._snapshot
        if known is not None and snapshot.key == known:
            return snapshot.mappings.get((event_type, target_system))
        return (await self._current(session)).get((event_type, target_system))

    async def _current(self, session: AsyncSession) -> dict[tuple[str, str], ActiveMapping]:
        repo = MappingRepository(session)
        key = generation_key(session, *await repo.generation())
        if self._snapshot.key == key:
            return self._snapshot.mappings
        async with self._lock:
            if self._snapshot.key != key:
                rows = await repo.active()
                mappings = {
                    (r.event_type, r.target_system): ActiveMapping(
                        r.event_type, r.target_system, r.version, r.spec
                    )
                    for r in rows
                }
                self._snapshot = _Snapshot(key, mappings)
                self.reloads += 1
        return self._snapshot.mappings


mapping_cache = MappingCache()
