"""Database building blocks: portable column types, declarative bases and per-loop async engines.

SQLite (aiosqlite), MariaDB/MySQL (asyncmy) and PostgreSQL (asyncpg) are all first-class.
"""

from __future__ import annotations

import asyncio
import sqlite3
import threading
import weakref
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import BigInteger, DateTime, Integer, event, text
from sqlalchemy import create_engine as create_sync_engine
from sqlalchemy.engine import Connection, Dialect, Engine, make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.orm import Mapped, Session, mapped_column
from sqlalchemy.types import TypeDecorator

from carinho.kit.clock import utcnow
from carinho.kit.sqlite_checkpoint import WalCheckpointer

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

BigIntPK = BigInteger().with_variant(Integer(), "sqlite")
# The largest value an INTEGER column holds on every backend: bigger path numbers are a 422, not a 500.
INT_MAX = 2**31 - 1
# Largest BIGINT id: a larger id in a path or filter can only be "not found", never a database error.
BIGINT_MAX = 2**63 - 1


class UTCDateTime(TypeDecorator[datetime]):
    """Stores naive UTC on every backend, returns aware UTC datetimes."""

    impl = DateTime(timezone=False)
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> Any:
        if dialect.name == "mysql":
            from sqlalchemy.dialects.mysql import DATETIME

            return dialect.type_descriptor(DATETIME(fsp=6))
        return dialect.type_descriptor(DateTime(timezone=False))

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are not accepted; use carinho.kit.clock.utcnow()")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)


class IdMixin:
    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)


class TimestampMixin:
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow, nullable=False)


# The execution option of `Database.read_session`: a session that only reads. On SQLite its transaction begins
# deferred (`BEGIN`): it takes no write lock, so a console page or a health check never holds up the
# ingest's commits while it reads (WAL readers read a snapshot and never block the writer). A write in
# such a session is refused (`ReadOnlySessionWrite`): upgrading a deferred transaction to a writer
# fails with SQLITE_BUSY under load. Other backends read as before.
READ_ONLY = "carinho_read_only"


_READ_ONLY_OPTIONS = {READ_ONLY: True}


class ReadOnlySessionWrite(RuntimeError):
    """Code tried to write in a session opened read-only (a GET page that writes must not ask for one)."""


@event.listens_for(Session, "do_orm_execute")
def _refuse_read_only_statement(state: Any) -> None:
    writes = state.is_insert or state.is_update or state.is_delete
    if writes and state.session.execution_options.get(READ_ONLY):
        raise ReadOnlySessionWrite(f"a write in a read-only session: {state.statement}")


@event.listens_for(Session, "before_flush")
def _refuse_read_only_flush(session: Session, *_: Any) -> None:
    if session.execution_options.get(READ_ONLY) and (session.new or session.dirty or session.deleted):
        raise ReadOnlySessionWrite("a flush of changes in a read-only session")


# PRAGMA synchronous values by the name SQLITE_SYNCHRONOUS takes (never interpolate a raw setting).
SQLITE_SYNCHRONOUS = {"FULL": "FULL", "NORMAL": "NORMAL"}


def _configure_sqlite(
    engine: Engine, busy_timeout_ms: int, synchronous: str = "FULL", autocheckpoint: bool = True
) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _: Any) -> None:
        # Let SQLAlchemy, not the driver, own transactions so BEGIN IMMEDIATE takes the write lock
        # up front: deferred transactions that upgrade later fail with SQLITE_BUSY under load.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        cursor.execute("PRAGMA foreign_keys=ON")
        # FULL: a commit is on disk before it returns (survives a power cut, not only kill -9);
        # NORMAL (an opt-out, SQLITE_SYNCHRONOUS) may lose the last commits to a power cut.
        cursor.execute(f"PRAGMA synchronous={SQLITE_SYNCHRONOUS[synchronous.upper()]}")
        if not autocheckpoint:
            cursor.execute("PRAGMA wal_autocheckpoint=0")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        read_only = conn.get_execution_options().get(READ_ONLY, False)
        execute_on_driver(conn, "BEGIN" if read_only else "BEGIN IMMEDIATE")


def execute_on_driver(connection: Connection, sql: str, params: Sequence[Any] = ()) -> list[Sequence[Any]]:
    """Run one statement on the driver's cursor, in the connection's transaction, and fetch its rows:
    for the hottest small statements, where Core's execution machinery costs more than the database's
    own work. Errors are SQLAlchemy's, as from `Connection.execute` (`IntegrityError`, ...)."""
    dbapi = connection.dialect.loaded_dbapi
    cursor = connection.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    try:
        cursor.execute(sql, params)
        return list(cursor.fetchall()) if cursor.description else []
    except dbapi.Error as exc:
        raise DBAPIError.instance(sql, params, exc, dbapi.Error, dialect=connection.dialect) from exc
    finally:
        cursor.close()


def create_sqlite_thread_engine(url: str, busy_timeout_ms: int = 30_000, synchronous: str = "FULL") -> Engine:
    """A synchronous engine on the same SQLite file, for work done whole in a worker thread (one
    thread hop per transaction instead of several per statement through aiosqlite). Its commits never
    checkpoint the WAL: its `Database` runs a `WalCheckpointer` beside it."""
    parsed = make_url(url).set(drivername="sqlite+pysqlite")
    engine = create_sync_engine(
        parsed, connect_args={"timeout": busy_timeout_ms / 1000, "check_same_thread": False}
    )
    _configure_sqlite(engine, busy_timeout_ms, synchronous, autocheckpoint=False)
    return engine


def create_engine(
    url: str, *, pool_size: int = 10, busy_timeout_ms: int = 30_000, synchronous: str = "FULL"
) -> AsyncEngine:
    parsed = make_url(url)
    backend = parsed.get_backend_name()
    kwargs: dict[str, Any] = {"pool_pre_ping": backend != "sqlite"}
    if backend == "sqlite":
        kwargs["connect_args"] = {"timeout": busy_timeout_ms / 1000}
    else:
        kwargs.update(pool_size=pool_size, max_overflow=pool_size, pool_recycle=1800)
    if backend == "mysql":
        kwargs.setdefault("connect_args", {})["init_command"] = "SET time_zone = '+00:00'"
    engine = create_async_engine(parsed, **kwargs)
    if backend == "sqlite":
        _configure_sqlite(engine.sync_engine, busy_timeout_ms, synchronous)
    return engine


def is_sqlite_busy(exc: DBAPIError) -> bool:
    """SQLite's "database is locked": another connection holds the lock we asked for."""
    code = getattr(exc.orig, "sqlite_errorcode", None)
    return code in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED)


class Database:
    """The database of one bounded context. Engines are bound to an event loop, so one per loop."""

    def __init__(
        self,
        url: str,
        *,
        pool_size: int = 10,
        busy_timeout_ms: int = 30_000,
        sqlite_synchronous: str = "FULL",
        session_class: type[Session] = Session,
    ) -> None:
        self.url = url
        # The synchronous Session class behind each AsyncSession: a context's own subclass carries
        # that context's session events (atendimento's live-change recorder) and no other's.
        self.session_class = session_class
        self.backend = make_url(url).get_backend_name()
        self._pool_size = pool_size
        self._busy_timeout_ms = busy_timeout_ms
        self._synchronous = sqlite_synchronous
        self._engines: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, AsyncEngine] = (
            weakref.WeakKeyDictionary()
        )
        self._makers: weakref.WeakKeyDictionary[
            asyncio.AbstractEventLoop, async_sessionmaker[AsyncSession]
        ] = weakref.WeakKeyDictionary()
        self._sync_pair: tuple[Engine, Engine] | None = None
        self._checkpointer: WalCheckpointer | None = None
        self._thread_engine_lock = threading.Lock()

    @property
    def engine(self) -> AsyncEngine:
        loop = asyncio.get_running_loop()
        engine = self._engines.get(loop)
        if engine is None:
            engine = create_engine(
                self.url,
                pool_size=self._pool_size,
                busy_timeout_ms=self._busy_timeout_ms,
                synchronous=self._synchronous,
            )
            self._engines[loop] = engine
            self._makers[loop] = async_sessionmaker(
                engine, expire_on_commit=False, sync_session_class=self.session_class
            )
        return engine

    def sessionmaker(self) -> async_sessionmaker[AsyncSession]:
        self.engine  # noqa: B018 - creates the engine and maker for this loop
        return self._makers[asyncio.get_running_loop()]

    @asynccontextmanager
    async def session(self) -> AsyncIterator[AsyncSession]:
        """A session; the caller commits. Anything uncommitted is rolled back on exit."""
        async with self.sessionmaker()() as session:
            yield session

    @asynccontextmanager
    async def read_session(self) -> AsyncIterator[AsyncSession]:
        """A session that only reads. On SQLite its transaction begins DEFERRED: a snapshot that
        takes no lock, where every other transaction begins IMMEDIATE and so holds the one write
        lock from its first statement (a step's reads waited behind every writer, and writers behind
        them; an open console's pages held up the ingest's group commit). A write in it is refused
        on every backend (`ReadOnlySessionWrite`): on SQLite it could fail at once with SQLITE_BUSY."""
        async with self.sessionmaker()(execution_options=_READ_ONLY_OPTIONS) as session:
            yield session

    def thread_engine(self) -> Engine:
        """SQLite only: the synchronous engine for work run whole in a worker thread (process-wide,
        not bound to an event loop). Its transactions wait for the write lock like any other."""
        return self._sync_engines()[0]

    def no_wait_engine(self) -> Engine:
        """SQLite only: a synchronous engine whose transactions never wait for the write lock: BEGIN
        fails at once (`is_sqlite_busy`) while another connection holds it. For short writes made on
        the event loop itself, which must never block it."""
        return self._sync_engines()[1]

    def _sync_engines(self) -> tuple[Engine, Engine]:
        if self.backend != "sqlite":
            raise RuntimeError("synchronous engines are for the embedded SQLite only")
        with self._thread_engine_lock:
            if self._sync_pair is None:
                self._sync_pair = (
                    create_sqlite_thread_engine(self.url, self._busy_timeout_ms, self._synchronous),
                    create_sqlite_thread_engine(self.url, busy_timeout_ms=0, synchronous=self._synchronous),
                )
                self._checkpointer = WalCheckpointer(str(make_url(self.url).database))
                self._checkpointer.start()
            return self._sync_pair

    async def ping(self) -> None:
        async with self.engine.connect() as conn:
            await conn.execution_options(**_READ_ONLY_OPTIONS)
            await conn.execute(text("SELECT 1"))

    async def dispose(self) -> None:
        """Dispose the engine of the running loop (others die with their loops)."""
        loop = asyncio.get_running_loop()
        engine = self._engines.pop(loop, None)
        self._makers.pop(loop, None)
        if engine is not None:
            await engine.dispose()
        with self._thread_engine_lock:
            sync_pair, self._sync_pair = self._sync_pair, None
            checkpointer, self._checkpointer = self._checkpointer, None
        for sync_engine in sync_pair or ():
            sync_engine.dispose()
        if checkpointer is not None:
            await asyncio.to_thread(checkpointer.stop)
