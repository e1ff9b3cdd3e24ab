"""Process-wide wiring: the settings, each bounded context's database and the broker.

API apps, workers and the scheduler of one process share one Runtime; `configure()` builds it.
"""

from __future__ import annotations

import importlib
from collections.abc import MutableMapping
from dataclasses import dataclass
from functools import cache
from typing import cast

from sqlalchemy import MetaData
from sqlalchemy.orm import Session

from carinho.config import Environment, Settings
from carinho.kit import passwords
from carinho.kit.db import Database
from carinho.worker import host as worker_host
from carinho.worker.lanes import lane_concurrency
from carinho.worker.models import HeartbeatMixin, OutboxMessageMixin

CONTEXTS = ("integracoes", "atendimento")


@dataclass(frozen=True)
class ContextSpec:
    name: str
    metadata: MetaData
    outbox: type[OutboxMessageMixin]
    heartbeat: type[HeartbeatMixin]
    # The Session class of the context's sessions (see `Database.session_class`).
    session_class: type[Session] = Session


@cache
def context_spec(name: str) -> ContextSpec:
    if name not in CONTEXTS:
        raise KeyError(f"unknown bounded context {name!r}")
    spec: ContextSpec = importlib.import_module(f"carinho.{name}.database").CONTEXT
    return spec


# Databases to reuse, keyed by their constructor's arguments (see `Runtime`).
DatabaseCache = MutableMapping[tuple[object, ...], Database]


def _database(settings: Settings, name: str, shared: DatabaseCache | None) -> Database:
    url = settings.database_url(name)
    pool_size, busy_timeout_ms = settings.database_pool_size, settings.sqlite_busy_timeout_ms
    synchronous, session_class = settings.sqlite_synchronous, context_spec(name).session_class
    key = (url, pool_size, busy_timeout_ms, synchronous, session_class)
    database = shared.get(key) if shared is not None else None
    if database is None:
        database = Database(
            url,
            pool_size=pool_size,
            busy_timeout_ms=busy_timeout_ms,
            sqlite_synchronous=synchronous,
            session_class=session_class,
        )
        if shared is not None:
            shared[key] = database
    return database


class Runtime:
    """`databases`: where given, the Database of the same URL and options is taken from it (and put
    in it), engines, pools and compiled statements and all, instead of being built anew: the tests
    configure a Runtime per test on the same databases. Its owner disposes them."""

    def __init__(self, settings: Settings, databases: DatabaseCache | None = None) -> None:
        from carinho.worker.broker import build_lane_brokers

        self.settings = settings
        self.databases = {name: _database(settings, name, databases) for name in CONTEXTS}
        self.lanes = build_lane_brokers(settings)
        self._lane_workers = {lane.value: n for lane, n in lane_concurrency(settings.lane_threads()).items()}

    def lane_workers(self, lane: str) -> int:
        """Worker threads of a lane in one worker process (LANE_CONCURRENCY, else the defaults)."""
        return self._lane_workers.get(lane, 1)

    def db(self, context: str) -> Database:
        return self.databases[context]

    def spec(self, context: str) -> ContextSpec:
        return context_spec(context)

    def outbox_model(self, context: str) -> type[OutboxMessageMixin]:
        return context_spec(context).outbox

    def publish(self, context: str, outbox_ids: list[int], lane: str, time_limit_seconds: int) -> None:
        """One message for these outbox rows of one lane (run one after the other by one worker);
        `time_limit_seconds` covers them all. Nothing is sent where no worker could get it (see
        `LaneBroker.reaches_a_worker`): the rows stay pending for the relay."""
        target = self.lanes[lane]
        if not target.reaches_a_worker:
            return
        target.actor.send_with_options(
            args=(context, outbox_ids), time_limit=int(time_limit_seconds * 1000) + 5_000
        )

    def close_brokers(self) -> None:
        for lane in self.lanes.values():
            lane.broker.close()


def configure(settings: Settings, *, databases: DatabaseCache | None = None) -> Runtime:
    """Build the process's Runtime (replacing any previous one, as tests do); `databases`: see
    `Runtime`. It is installed as the worker layer's host (`worker/host.py`), which holds it."""
    from carinho.worker.registry import load_all_jobs

    load_all_jobs(settings.carinho_job_modules)
    if is_configured():
        current().close_brokers()
    built = Runtime(settings, databases)
    worker_host.install(built)
    passwords.use_test_cost(settings.carinho_env is Environment.test)
    return built


def current() -> Runtime:
    return cast(Runtime, worker_host.current())


def is_configured() -> bool:
    return worker_host.is_installed()


def ensure_configured() -> Runtime:
    """The process's Runtime, built from the environment if nobody configured one (uvicorn workers)."""
    if not is_configured():
        from carinho.config import get_settings
        from carinho.logging import configure_logging

        settings = get_settings()
        configure_logging(settings.carinho_log_level)
        return configure(settings)
    return current()
