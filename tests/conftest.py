"""Shared fixtures: real databases (SQLite, MariaDB, PostgreSQL), Redis and the apps over ASGI."""

from __future__ import annotations

import importlib
import os
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any, NamedTuple

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import delete, select
from starlette.datastructures import State

os.environ.setdefault("CARINHO_ENV", "test")
# The suite's databases are thrown away: no fsync per commit (the default, FULL, is tested on its own
# in tests/test_health.py).
os.environ.setdefault("SQLITE_SYNCHRONOUS", "normal")

from carinho import runtime
from carinho.config import Settings
from carinho.kit import clock, migrations
from carinho.runtime import CONTEXTS, DatabaseCache, Runtime
from tests.support import services
from tests.support.sample_data import TEST_SECRETS

# Every log line of the suite is checked for secrets and sample personal data (issue 15, item 7).
pytest_plugins = ["tests.support.log_guard"]

BACKENDS = services.selected_backends()


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addini("xdist_workers", "pytest-xdist workers when the command line gives no -n", default="0")


@pytest.hookimpl(tryfirst=True)
def pytest_cmdline_main(config: pytest.Config) -> None:
    """Run on `xdist_workers` workers (pyproject.toml) unless the command line chose: `-n N` (`-n0`:
    in this process), `-p no:xdist`, or a debugger or --collect-only, which want this process. Not in
    addopts, where `-n` would make `-p no:xdist` a usage error. Runs before xdist's own hook."""
    option = config.option
    if (
        not config.pluginmanager.hasplugin("xdist")
        or hasattr(config, "workerinput")  # a worker: the controller decided
        or getattr(option, "numprocesses", None) is not None
        or option.usepdb
        or getattr(option, "trace", False)
        or option.collectonly
    ):
        return
    option.numprocesses = int(config.getini("xdist_workers"))
    if option.numprocesses and getattr(option, "maxschedchunk", None) is None:
        option.maxschedchunk = 2


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """On pytest-xdist workers the slow tests come first (otherwise in pytest's order): the
    scheduler hands tests out two at a time, so they spread over the workers and none starts last,
    alone, at the end of the run. Every worker sorts alike, as xdist requires."""
    if os.environ.get("PYTEST_XDIST_WORKER"):
        items.sort(key=lambda item: item.get_closest_marker("slow") is None)


@pytest.fixture(scope="session")
def tmp_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("carinho")


def _provision(backend: str, tmp_root: Path) -> Iterator[dict[str, str]]:
    names = {ctx: services.unique_name(f"ct_{ctx[:5]}") for ctx in CONTEXTS}
    urls = {ctx: services.create_database(backend, names[ctx], str(tmp_root)) for ctx in CONTEXTS}
    try:
        for ctx, url in urls.items():
            migrations.upgrade(ctx, url)
        yield urls
    finally:
        for ctx in CONTEXTS:
            services.drop_database(backend, names[ctx])


@pytest.fixture(scope="session", params=BACKENDS)
def database_urls(request: pytest.FixtureRequest, tmp_root: Path) -> Iterator[dict[str, str]]:
    """Both contexts' databases, migrated, on each selected backend (tests run once per backend)."""
    yield from _provision(request.param, tmp_root)


@pytest.fixture(scope="session")
async def shared_databases(database_urls: dict[str, str]) -> AsyncIterator[DatabaseCache]:
    """The Database objects (engines, pools, compiled statements) every `rt` of this worker on this
    backend reuses: a new engine per test was a large part of a short test's CPU (README, "Tests").
    A Runtime configured with other options (pool size, SQLite pragmas) gets its own; a test that
    disposes one only makes the next test open new connections. Disposed before the databases drop."""
    shared: DatabaseCache = {}
    yield shared
    for db in shared.values():
        await db.dispose()


@pytest.fixture
def settings(database_urls: dict[str, str], tmp_path: Path) -> Settings:
    return Settings(
        _env_file=None,  # type: ignore[call-arg]
        carinho_env="test",
        carinho_data_dir=tmp_path,
        integracoes_database_url=database_urls["integracoes"],
        atendimento_database_url=database_urls["atendimento"],
        redis_url="",
        **TEST_SECRETS,
    )


async def _truncate(rt: Runtime) -> None:
    """Empty every table of both contexts. One statement asks which tables hold rows, and only those
    get a DELETE (children first): a test fills a few of the ~70 tables, and a statement per table
    and test was a large part of a short test's time (measured in README, "Tests")."""
    for ctx in CONTEXTS:
        tables = rt.spec(ctx).metadata.sorted_tables
        async with rt.db(ctx).session() as session:
            holds_rows = select(*(select(table).exists().label(f"t{i}") for i, table in enumerate(tables)))
            filled = (await session.execute(holds_rows)).one()
            for table, has_rows in reversed(list(zip(tables, filled, strict=True))):
                if has_rows:
                    await session.execute(delete(table))
            await session.commit()


@pytest.fixture
async def rt(settings: Settings, shared_databases: DatabaseCache) -> AsyncIterator[Runtime]:
    """A configured Runtime on clean databases (the worker's shared Database objects, emptied); the
    clock is reset afterwards."""
    current = runtime.configure(settings, databases=shared_databases)
    await _truncate(current)
    try:
        yield current
    finally:
        clock.reset()


@pytest.fixture
def still_clock() -> Iterator[None]:
    """Our clock stands still unless the test moves it (`clock.freeze`): for tests that expect
    nothing to come due between their steps, however slowly a busy machine runs them."""
    clock.freeze()
    yield
    clock.reset()


@pytest.fixture
def redis_url() -> str:
    return services.redis_or_skip()


@pytest.fixture
def redis_namespace(redis_url: str) -> Iterator[str]:
    import redis

    namespace = services.unique_name("carinho_test")
    yield namespace
    client = redis.Redis.from_url(redis_url)
    keys = list(client.scan_iter(f"{namespace}*"))
    if keys:
        client.delete(*keys)


def asgi_client(app: object, base_url: str) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=base_url)  # type: ignore[arg-type]


class BuiltApp(NamedTuple):
    settings: dict[str, Any]  # what it was built with, but the data dir
    app: FastAPI
    state: dict[str, Any]  # app.state as create_app left it


class Apps:
    """The apps of one test's runtime by context, each shared by the test's fixtures and helpers, as
    one process serves one app per context. A new app builds every route's dependant again on its
    first requests (FastAPI's pydantic schemas: ~170 ms of CPU for atendimento's, ~85 ms for the
    hub's), so an app is also reused by the worker's later tests whose settings are the same but for
    the data dir (`built`): it follows the test's runtime as every route does (`app.state.runtime`),
    and its state is put back as create_app left it, so that nothing a test left on it (a login
    throttle, a rate limiter, a live feed) reaches the next."""

    def __init__(self, rt: Runtime, built: list[BuiltApp]) -> None:
        self.rt = rt
        self._built = built
        self._apps: dict[str, FastAPI] = {}

    def __call__(self, context: str) -> FastAPI:
        app = self._apps.get(context)
        if app is None:
            app = self._apps[context] = self._reuse_or_build(context)
        return app

    def _reuse_or_build(self, context: str) -> FastAPI:
        settings = self.rt.settings.model_dump(exclude={"carinho_data_dir"})
        settings["context"] = context
        for i, built in enumerate(self._built):
            if built.settings == settings:
                self._built.append(self._built.pop(i))  # the most recently used last
                built.app.state = State({**built.state, "runtime": self.rt})
                built.app.dependency_overrides.clear()
                return built.app
        create_app = importlib.import_module(f"carinho.{context}.app").create_app
        app = create_app(self.rt)
        self._built.append(BuiltApp(settings, app, dict(app.state._state)))
        del self._built[:-_APPS_KEPT]
        return app


# Apps a worker keeps for its later tests: both contexts' on the common settings, and a few more.
_APPS_KEPT = 6


@pytest.fixture(scope="session")
def built_apps() -> list[BuiltApp]:
    return []


@pytest.fixture
def apps(rt: Runtime, built_apps: list[BuiltApp]) -> Apps:
    return Apps(rt, built_apps)


@pytest.fixture
async def hub(apps: Apps) -> AsyncIterator[httpx.AsyncClient]:
    async with asgi_client(apps("integracoes"), "http://integracoes.test") as client:
        yield client


@pytest.fixture
async def atendimento(apps: Apps) -> AsyncIterator[httpx.AsyncClient]:
    async with asgi_client(apps("atendimento"), "http://atendimento.test") as client:
        yield client
