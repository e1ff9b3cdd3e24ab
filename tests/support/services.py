"""Real database and Redis servers for tests: one throwaway database per backend per test session.

In CI (CI=true) a missing server fails the run; on a laptop the tests that need it are skipped.
"""

from __future__ import annotations

import asyncio
import os
import uuid

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

MARIADB_URL = os.environ.get("CARINHO_TEST_MARIADB_URL", "mysql+asyncmy://root@127.0.0.1:3306")
POSTGRES_URL = os.environ.get("CARINHO_TEST_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432")
REDIS_URL = os.environ.get("CARINHO_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
ALL_BACKENDS = ("sqlite", "mariadb", "postgresql")


def selected_backends() -> list[str]:
    value = os.environ.get("CARINHO_TEST_BACKENDS", ",".join(ALL_BACKENDS))
    return [b.strip() for b in value.split(",") if b.strip()]


def unavailable(what: str, error: Exception) -> None:
    message = f"{what} is not reachable ({type(error).__name__}: {error})"
    if os.environ.get("CI"):
        pytest.fail(f"{message}; CI requires it", pytrace=False)
    pytest.skip(f"{message}; start it to run these tests")


def _server_url(backend: str) -> str:
    return MARIADB_URL if backend == "mariadb" else POSTGRES_URL


async def _admin(backend: str, statement: str) -> None:
    admin_db = "/test" if backend == "mariadb" else "/postgres"
    engine = create_async_engine(_server_url(backend) + admin_db, isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as conn:
            await conn.execute(text(statement))
    finally:
        await engine.dispose()


def create_database(backend: str, name: str, tmp_dir: str) -> str:
    """Create an empty database and return its async URL."""
    if backend == "sqlite":
        return f"sqlite+aiosqlite:///{tmp_dir}/{name}.sqlite3"
    try:
        asyncio.run(_admin(backend, f"CREATE DATABASE {name}"))
    except Exception as exc:
        unavailable(backend, exc)
    return f"{_server_url(backend)}/{name}"


def drop_database(backend: str, name: str) -> None:
    if backend == "sqlite":
        return
    suffix = " WITH (FORCE)" if backend == "postgresql" else ""
    asyncio.run(_admin(backend, f"DROP DATABASE IF EXISTS {name}{suffix}"))


def unique_name(prefix: str) -> str:
    return f"{prefix}_{os.getpid()}_{uuid.uuid4().hex[:8]}"


def redis_or_skip() -> str:
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except Exception as exc:
        unavailable("Redis", exc)
    return REDIS_URL
