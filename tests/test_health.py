"""`/health` and `/health/detailed` of both apps."""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx
import pytest
from sqlalchemy.ext.asyncio import create_async_engine

from carinho import runtime
from carinho.config import Settings
from carinho.kit import migrations
from carinho.runtime import Runtime
from tests.conftest import asgi_client


@pytest.mark.parametrize("service", ["integracoes", "atendimento"])
async def test_detailed_health_reports_every_dependency(rt: Runtime, service: str) -> None:
    app = __import__(f"carinho.{service}.app", fromlist=["create_app"]).create_app(rt)
    async with asgi_client(app, "http://t") as client:
        assert (await client.get("/health")).json() == {"status": "ok", "service": service}
        response = await client.get("/health/detailed")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok" and body["down"] == []
    assert body["checks"]["database"]["status"] == "up"
    assert body["checks"]["broker"] == {"status": "up", "kind": "embedded"}
    assert body["checks"]["outbox"]["backlog"] == 0
    assert body["checks"]["scheduler"]["status"] == "unknown"  # no scheduler runs in this test


def _sqlite_settings(tmp_path: Path, **overrides: object) -> Settings:
    values: dict[str, object] = {
        "_env_file": None,
        "carinho_data_dir": tmp_path,
        "integracoes_database_url": f"sqlite+aiosqlite:///{tmp_path}/i.sqlite3",
        "atendimento_database_url": f"sqlite+aiosqlite:///{tmp_path}/a.sqlite3",
    }
    values.update(overrides)
    return Settings(**values)  # type: ignore[arg-type]


async def _detailed(settings: Settings) -> httpx.Response:
    from carinho.integracoes.app import create_app

    rt = runtime.configure(settings)
    try:
        async with asgi_client(create_app(rt), "http://t") as client:
            return await client.get("/health/detailed")
    finally:
        for db in rt.databases.values():
            await db.dispose()


async def test_unreachable_database_answers_503_naming_it(tmp_path: Path) -> None:
    settings = _sqlite_settings(
        tmp_path, integracoes_database_url="postgresql+asyncpg://postgres@127.0.0.1:1/nothing"
    )
    response = await _detailed(settings)
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "down" and body["down"] == ["database"]
    assert body["checks"]["database"]["status"] == "down" and body["checks"]["database"]["error"]


async def test_unreachable_redis_answers_503_naming_the_broker(tmp_path: Path) -> None:
    settings = _sqlite_settings(tmp_path, redis_url="redis://127.0.0.1:1/0")
    await asyncio.to_thread(migrations.upgrade, "integracoes", settings.database_url("integracoes"))
    response = await _detailed(settings)
    assert response.status_code == 503
    assert response.json()["down"] == ["broker"]
    assert response.json()["checks"]["database"]["status"] == "up"


async def test_redis_profile_reports_queue_depths(
    tmp_path: Path, redis_url: str, redis_namespace: str
) -> None:
    settings = _sqlite_settings(tmp_path, redis_url=redis_url, redis_namespace=redis_namespace)
    await asyncio.to_thread(migrations.upgrade, "integracoes", settings.database_url("integracoes"))
    response = await _detailed(settings)
    assert response.status_code == 200
    broker = response.json()["checks"]["broker"]
    assert broker["kind"] == "redis" and broker["queued"]["integrations-high"] == 0


async def test_a_durable_server_database_raises_no_warning(rt: Runtime) -> None:
    from carinho.integracoes.app import create_app

    if rt.db("integracoes").backend == "sqlite":
        pytest.skip("the suite runs SQLite with SQLITE_SYNCHRONOUS=normal; FULL is the next test")
    async with asgi_client(create_app(rt), "http://t") as client:
        body = (await client.get("/health/detailed")).json()
    assert body["warnings"] == [] and body["checks"]["database"]["durable"] is True


async def test_sqlite_commits_to_disk_by_default(tmp_path: Path) -> None:
    assert Settings.model_fields["sqlite_synchronous"].default == "full"
    settings = _sqlite_settings(tmp_path, sqlite_synchronous="full")
    body = (await _detailed(settings)).json()
    assert body["warnings"] == [] and body["checks"]["database"]["durable"] is True
    rt = runtime.configure(settings)
    try:
        async with rt.db("integracoes").engine.connect() as conn:
            assert (await conn.exec_driver_sql("PRAGMA synchronous")).scalar() == 2  # FULL
    finally:
        await rt.db("integracoes").dispose()


async def test_sqlite_synchronous_normal_is_said_to_lose_commits(tmp_path: Path) -> None:
    body = (await _detailed(_sqlite_settings(tmp_path, sqlite_synchronous="normal"))).json()
    assert body["checks"]["database"]["durable"] is False
    assert [w["code"] for w in body["warnings"]] == ["database_may_lose_commits"]
    assert "SQLITE_SYNCHRONOUS=normal" in body["warnings"][0]["message"]


async def test_postgresql_without_synchronous_commit_is_said_to_lose_commits(tmp_path: Path) -> None:
    from tests.support import services

    if "postgresql" not in services.selected_backends():
        pytest.skip("PostgreSQL is not among CARINHO_TEST_BACKENDS")
    name = services.unique_name("durability")
    url = await asyncio.to_thread(services.create_database, "postgresql", name, str(tmp_path))
    try:
        await asyncio.to_thread(migrations.upgrade, "integracoes", url)
        engine = create_async_engine(url)
        async with engine.connect() as conn:
            await conn.exec_driver_sql(f"ALTER DATABASE {name} SET synchronous_commit = off")
            await conn.commit()
        await engine.dispose()
        body = (await _detailed(_sqlite_settings(tmp_path, integracoes_database_url=url))).json()
    finally:
        await asyncio.to_thread(services.drop_database, "postgresql", name)
    assert body["checks"]["database"]["durability"] == "synchronous_commit=off"
    assert [w["code"] for w in body["warnings"]] == ["database_may_lose_commits"]
