"""The benchmark's data set, built once and reused between runs (loading it takes about a minute).

    async with cached_data_set("sqlite", workdir, cache_dir, conversations=10_000, ...) as data:
        ...  # data.url: a copy of the cached database, for this run only

The cache: SQLite, a database file under `cache_dir` copied into `workdir` for each run;
PostgreSQL, a database `bench_cache_<key>` on the local server, used as the TEMPLATE of a new
database for each run (dropped at the end). A run's copy is migrated to the current head first, so a
new migration (an index) is measured without rebuilding. The data set is placed relative to the
time it was built (90 days up to then), so an entry older than `max_age_hours` is built anew, as is
one for other parameters (its key); `rebuild` forces it. Other cached PostgreSQL databases of this
module are dropped when a new one is built.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import hashlib
import json
import shutil
import time
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from bench.atendimento_data import POSTGRES_SERVER, DataSet, Login, build
from carinho.kit import migrations

VERSION = 1  # bump when the generator changes what it builds


def _key(backend: str, params: dict[str, Any]) -> str:
    raw = json.dumps({"v": VERSION, "backend": backend, **params}, sort_keys=True)
    return hashlib.sha1(raw.encode()).hexdigest()[:10]


def _load_meta(path: Path, max_age_hours: float) -> DataSet | None:
    if not path.exists() or time.time() - path.stat().st_mtime > max_age_hours * 3600:
        return None
    raw = json.loads(path.read_text(encoding="utf-8"))
    raw["attendant"], raw["supervisor"] = Login(**raw["attendant"]), Login(**raw["supervisor"])
    return DataSet(**raw)


async def _admin(statement: str) -> list[Any]:
    engine = create_async_engine(f"{POSTGRES_SERVER}/postgres", isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as conn:
            result = await conn.execute(text(statement))
            return list(result.all()) if result.returns_rows else []
    finally:
        await engine.dispose()


async def _pg_exists(name: str) -> bool:
    return bool(await _admin(f"SELECT 1 FROM pg_database WHERE datname = '{name}'"))


def _clear_sqlite(cache_dir: Path) -> None:
    for old in cache_dir.glob("atendimento-*.sqlite3*"):
        old.unlink()


async def _build_cache(backend: str, key: str, cache_dir: Path, params: dict[str, Any]) -> DataSet:
    if backend == "sqlite":
        path = cache_dir / f"atendimento-{key}.sqlite3"
        await asyncio.to_thread(_clear_sqlite, cache_dir)
        return await build(f"sqlite+aiosqlite:///{path}", **params)
    name = f"bench_cache_{key}"
    for (old,) in await _admin("SELECT datname FROM pg_database WHERE datname LIKE 'bench\\_cache\\_%'"):
        await _admin(f"DROP DATABASE IF EXISTS {old} WITH (FORCE)")
    await _admin(f"CREATE DATABASE {name}")
    return await build(f"{POSTGRES_SERVER}/{name}", **params)


@contextlib.asynccontextmanager
async def cached_data_set(
    backend: str,
    workdir: str,
    cache_dir: Path,
    *,
    max_age_hours: float = 24.0,
    rebuild: bool = False,
    **params: Any,
) -> AsyncIterator[DataSet]:
    """A run's own copy of the cached data set built by `build(**params)` (built first if needed)."""
    if backend not in ("sqlite", "postgresql"):
        raise ValueError(f"unsupported backend {backend!r}")
    await asyncio.to_thread(cache_dir.mkdir, parents=True, exist_ok=True)
    key = _key(backend, params)
    meta = cache_dir / f"{backend}-{key}.json"
    data = None if rebuild else _load_meta(meta, max_age_hours)
    if data is not None and backend == "postgresql" and not await _pg_exists(f"bench_cache_{key}"):
        data = None
    if data is None:
        data = await _build_cache(backend, key, cache_dir, params)
        meta.write_text(json.dumps(dataclasses.asdict(data), ensure_ascii=False), encoding="utf-8")
        print(f"[{backend}] data set built in {data.seconds:.1f} s, cached ({meta})", flush=True)
    else:
        age = (time.time() - meta.stat().st_mtime) / 3600
        print(f"[{backend}] data set from the cache ({meta}, built {age:.1f} h ago)", flush=True)
    if backend == "sqlite":
        copy = Path(workdir) / "atendimento.sqlite3"
        await asyncio.to_thread(shutil.copyfile, cache_dir / f"atendimento-{key}.sqlite3", copy)
        url = f"sqlite+aiosqlite:///{copy}"
        await asyncio.to_thread(migrations.upgrade, "atendimento", url)
        yield dataclasses.replace(data, url=url)
        return
    name = f"bench_atendimento_{uuid.uuid4().hex[:8]}"
    await _admin(f"CREATE DATABASE {name} TEMPLATE bench_cache_{key}")
    try:
        url = f"{POSTGRES_SERVER}/{name}"
        await asyncio.to_thread(migrations.upgrade, "atendimento", url)
        await _admin_analyze(url)
        yield dataclasses.replace(data, url=url)
    finally:
        await _admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


async def _admin_analyze(url: str) -> None:
    """A copied database has no planner statistics of its own yet (autovacuum would gather them)."""
    engine = create_async_engine(url, isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as conn:
            await conn.execute(text("ANALYZE"))
    finally:
        await engine.dispose()
