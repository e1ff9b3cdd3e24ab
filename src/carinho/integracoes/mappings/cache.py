"""Active mappings cached per process, reloaded when the database's generation counter moves."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import AsyncSession

from carinho.integracoes.mappings.repository import MappingRepository


@dataclass(frozen=True)
class ActiveMapping:
    event_type: str
    target_system: str
    version: int
    spec: str


@dataclass
class _Snapshot:
    key: tuple[str, str, int] = ("", "", -1)  # (database url, generation token, generation)
    mappings: dict[tuple[str, str], ActiveMapping] = field(default_factory=dict)


class MappingCache:
    def __init__(self) -> None:
        self._snapshot = _Snapshot()
        self._lock = asyncio.Lock()
        self.reloads = 0

    async def get(self, session: AsyncSession, event_type: str, target_system: str) -> ActiveMapping | None:
        return (await self._current(session)).get((event_type, target_system))

    async def _current(self, session: AsyncSession) -> dict[tuple[str, str], ActiveMapping]:
        repo = MappingRepository(session)
        token, generation = await repo.generation()
        bind = session.get_bind()
        key = (str(getattr(bind, "url", "")), token, generation)
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
