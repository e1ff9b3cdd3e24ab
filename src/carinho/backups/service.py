"""Take a backup of a context's database, prune the old ones, and restore one."""

from __future__ import annotations

import asyncio
import shutil
import tempfile
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import BinaryIO

from sqlalchemy import inspect, text
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.ext.asyncio import AsyncConnection, create_async_engine
from sqlalchemy.pool import NullPool

from carinho.backups import archive
from carinho.backups.archive import FORMAT_SQL, FORMAT_SQLITE, BackupHeader
from carinho.backups.encryption import BackupKeyError, keys_by_id
from carinho.backups.engines import (
    check_tools,
    dialect_of,
    dump,
    load,
    sqlite_path,
    sqlite_restore,
    sqlite_snapshot,
)
from carinho.backups.errors import BackupError
from carinho.config import Settings
from carinho.logging import get_logger
from carinho.runtime import CONTEXTS, context_spec
from carinho.worker.scheduler import HEARTBEAT_NAME

log = get_logger(__name__)

DIALECT_LABELS = {"sqlite": "SQLite", "mysql": "MariaDB/MySQL", "postgresql": "PostgreSQL"}
# Tables that say nothing about whether a database holds data.
_BOOKKEEPING = {"alembic_version"}


@dataclass(frozen=True)
class BackupResult:
    context: str
    path: Path
    size: int
    header: BackupHeader
    pruned: list[Path] = field(default_factory=list)


@dataclass(frozen=True)
class RestoreResult:
    context: str
    header: BackupHeader
    replaced: list[str]  # tables that held rows and were replaced (--force)


def backup_dir(settings: Settings) -> Path:
    return Path(settings.backup_dir) if settings.backup_dir else settings.carinho_data_dir / "backups"


def encryption_keys(settings: Settings) -> str:
    keys = settings.backup_encryption_keys.get_secret_value()
    try:
        keys_by_id(keys)
    except BackupKeyError as exc:
        raise BackupError(str(exc)) from None
    return keys


def _check_context(context: str) -> None:
    if context not in CONTEXTS:
        raise BackupError(f"unknown context {context!r}: choose {' or '.join(CONTEXTS)}")


async def backup_context(
    settings: Settings, context: str, *, directory: Path | None = None, keep: int | None = None
) -> BackupResult:
    """Write one backup file of the context's database, then keep only the newest `keep`."""
    _check_context(context)
    directory = directory or backup_dir(settings)
    keys = encryption_keys(settings)
    url = settings.database_url(context)
    dialect = dialect_of(url)
    check_tools(url)
    sqlite = dialect == "sqlite"
    header = BackupHeader(
        context=context,
        dialect=dialect,
        format=FORMAT_SQLITE if sqlite else FORMAT_SQL,
        created_at=datetime.now(UTC).isoformat(),
        revision=None if sqlite else await _revision(url),
    )
    directory.mkdir(parents=True, exist_ok=True)
    if sqlite:
        with tempfile.TemporaryDirectory(prefix=".snapshot-", dir=directory) as folder:
            snapshot = Path(folder) / f"{context}.sqlite3"
            await asyncio.to_thread(sqlite_snapshot, url, snapshot)
            header = BackupHeader(**{**header.__dict__, "revision": _sqlite_revision(snapshot)})
            with archive.writing(directory, header, keys) as (out, path):
                await asyncio.to_thread(_copy, snapshot, out)
    else:
        with archive.writing(directory, header, keys) as (out, path):
            await dump(url, out)
    pruned = archive.prune(directory, context, keep) if keep else []
    size = path.stat().st_size
    log.info("backup.written", context=context, file=path.name, bytes=size, pruned=len(pruned))
    return BackupResult(context, path, size, archive.read_header(path), pruned)


async def restore(settings: Settings, path: Path, *, force: bool = False) -> RestoreResult:
    """Restore a backup into its context's database (the one the settings point at).

    Refuses when a platform process is running against that database, when the backup is of another
    kind of database, and — unless `force` — when the database holds any data. The file is
    decrypted, decompressed and checked whole before the database is touched."""
    header = await asyncio.to_thread(_header_of, path)
    _check_context(header.context)
    keys = encryption_keys(settings)
    url = settings.database_url(header.context)
    dialect = dialect_of(url)
    setting = f"{header.context.upper()}_DATABASE_URL"
    if header.dialect != dialect:
        raise BackupError(
            f"{path.name} is a backup of a {DIALECT_LABELS.get(header.dialect, header.dialect)} database, "
            f"but {setting} points at {DIALECT_LABELS.get(dialect, dialect)}: restore it into a "
            f"{DIALECT_LABELS.get(header.dialect, header.dialect)} database"
        )
    check_tools(url, restoring=True)
    state = await _target_state(url, header.context, settings.scheduler_heartbeat_seconds)
    if state.running_since is not None:
        raise BackupError(
            f"a Carinho process is using the {header.context} database (its last heartbeat was "
            f"{state.running_since.seconds} s ago): stop `carinho up` (or serve, worker and scheduler) "
            "before restoring, then try again"
        )
    if state.filled and not force:
        listed = ", ".join(state.filled[:8]) + (", …" if len(state.filled) > 8 else "")
        raise BackupError(
            f"the {header.context} database is not empty (data in {listed}): restore into an empty "
            "database, or add --force to replace everything in it with the backup"
        )
    work = Path(tempfile.mkdtemp(prefix=".restore-", dir=_work_parent(settings, url)))
    try:
        snapshot = work / "snapshot"
        await asyncio.to_thread(archive.extract, path, snapshot, keys)
        if dialect == "sqlite":
            await asyncio.to_thread(sqlite_restore, snapshot, url)
        else:
            if state.tables:
                await _drop_everything(url)
            await load(url, snapshot)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    log.info("backup.restored", context=header.context, file=path.name, replaced=len(state.filled))
    return RestoreResult(header.context, header, state.filled)


def list_backups(settings: Settings, directory: Path | None = None) -> list[tuple[BackupHeader, Path]]:
    directory = directory or backup_dir(settings)
    found = [item for context in CONTEXTS for item in archive.backups_of(directory, context)]
    return sorted(found, key=lambda item: (item[0].context, item[0].created))


# --- helpers -----------------------------------------------------------------------------------


def _header_of(path: Path) -> BackupHeader:
    if not path.is_file():
        raise BackupError(f"{path}: no such file")
    return archive.read_header(path)


def _copy(snapshot: Path, out: BinaryIO) -> None:
    with snapshot.open("rb") as source:
        shutil.copyfileobj(source, out, 1024 * 1024)


def _work_parent(settings: Settings, url: str) -> Path:
    """Where a restore unpacks the backup: beside the SQLite file, else under the data dir."""
    parent = sqlite_path(url).parent if dialect_of(url) == "sqlite" else settings.carinho_data_dir
    parent.mkdir(parents=True, exist_ok=True)
    return parent


def _sqlite_revision(snapshot: Path) -> str | None:
    import sqlite3

    connection = sqlite3.connect(f"file:{snapshot}?mode=ro", uri=True)
    try:
        row = connection.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.Error:
        return None
    finally:
        connection.close()
    return str(row[0]) if row else None


async def _revision(url: str) -> str | None:
    engine = create_async_engine(url, poolclass=NullPool)
    try:
        async with engine.connect() as connection:
            if not await connection.run_sync(lambda c: inspect(c).has_table("alembic_version")):
                return None
            return (await connection.execute(text("SELECT version_num FROM alembic_version"))).scalar()
    except (OperationalError, DBAPIError) as exc:
        raise BackupError(f"cannot reach the database: {exc.orig}") from None
    finally:
        await engine.dispose()


@dataclass(frozen=True)
class _TargetState:
    tables: list[str]
    filled: list[str]
    running_since: timedelta | None


async def _target_state(url: str, context: str, heartbeat_seconds: float) -> _TargetState:
    if dialect_of(url) == "sqlite" and not await asyncio.to_thread(sqlite_path(url).exists):
        return _TargetState([], [], None)  # a new database: the restore creates it
    engine = create_async_engine(url, poolclass=NullPool)
    try:
        async with engine.connect() as connection:
            tables = await connection.run_sync(lambda c: inspect(c).get_table_names())
            filled = [t for t in sorted(tables) if t not in _BOOKKEEPING and await _has_rows(connection, t)]
            running = await _running(connection, context, tables, heartbeat_seconds)
            return _TargetState(tables, filled, running)
    except (OperationalError, DBAPIError) as exc:
        raise BackupError(f"cannot reach the {context} database: {exc.orig}") from None
    finally:
        await engine.dispose()


async def _has_rows(connection: AsyncConnection, table: str) -> bool:
    quoted = connection.dialect.identifier_preparer.quote(table)
    return (await connection.execute(text(f"SELECT 1 FROM {quoted} LIMIT 1"))).first() is not None  # noqa: S608


async def _running(
    connection: AsyncConnection, context: str, tables: list[str], heartbeat_seconds: float
) -> timedelta | None:
    """How long ago a live process beat (the scheduler beats every SCHEDULER_HEARTBEAT_SECONDS),
    or None when the last beat is older than three beats."""
    table = context_spec(context).heartbeat.__tablename__
    if table not in tables:
        return None
    quoted = connection.dialect.identifier_preparer.quote(table)
    last = (
        await connection.execute(
            text(f"SELECT MAX(beat_at) FROM {quoted} WHERE name = :name"),  # noqa: S608
            {"name": HEARTBEAT_NAME},  # the scheduler's beat (not the backups' records, runs.py)
        )
    ).scalar()
    if last is None:
        return None
    if isinstance(last, str):  # SQLite returns the stored text
        last = datetime.fromisoformat(last)
    age = datetime.now(UTC) - last.replace(tzinfo=UTC)
    return age if timedelta(0) <= age < timedelta(seconds=3 * heartbeat_seconds) else None


async def _drop_everything(url: str) -> None:
    """Empty a MariaDB/MySQL or PostgreSQL database before the dump is loaded into it."""
    engine = create_async_engine(url, poolclass=NullPool, isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as connection:
            if connection.dialect.name == "postgresql":
                schema = (await connection.execute(text("SELECT current_schema()"))).scalar()
                quoted = connection.dialect.identifier_preparer.quote(str(schema))
                await connection.execute(text(f"DROP SCHEMA {quoted} CASCADE"))
                await connection.execute(text(f"CREATE SCHEMA {quoted}"))
            else:
                quote = connection.dialect.identifier_preparer.quote
                views = await connection.run_sync(lambda c: inspect(c).get_view_names())
                tables = await connection.run_sync(lambda c: inspect(c).get_table_names())
                await connection.execute(text("SET FOREIGN_KEY_CHECKS=0"))
                for view in views:
                    await connection.execute(text(f"DROP VIEW IF EXISTS {quote(view)}"))
                for table in tables:
                    await connection.execute(text(f"DROP TABLE IF EXISTS {quote(table)}"))
                await connection.execute(text("SET FOREIGN_KEY_CHECKS=1"))
    except (OperationalError, DBAPIError) as exc:
        raise BackupError(f"could not empty the database before restoring: {exc.orig}") from None
    finally:
        await engine.dispose()
