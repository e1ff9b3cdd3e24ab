"""Per-database snapshot and load: SQLite through its online backup API, MariaDB/MySQL and
PostgreSQL through their own dump and client tools (each a consistent snapshot of one moment:
SQLite's backup copies one read transaction; `mariadb-dump --single-transaction` and `pg_dump` read
everything in one repeatable-read transaction while writers go on)."""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import sqlite3
import tempfile
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from sqlalchemy.engine import URL, make_url

from carinho.backups.errors import BackupError

_READ = 1024 * 1024


def dialect_of(url: str) -> str:
    """sqlite, mysql (MariaDB and MySQL) or postgresql."""
    return make_url(url).get_backend_name()


def sqlite_path(url: str) -> Path:
    database = make_url(url).database
    if not database or database == ":memory:":
        raise BackupError("an in-memory SQLite database cannot be backed up or restored")
    return Path(database)


# SQLite ----------------------------------------------------------------------------------------


def sqlite_snapshot(url: str, destination: Path) -> None:
    """Copy the live database into `destination` in one step of the online backup API: one read
    transaction, so a consistent snapshot while other connections keep writing (WAL)."""
    source_path = sqlite_path(url)
    if not source_path.exists():
        raise BackupError(f"the SQLite database {source_path} does not exist")
    source = sqlite3.connect(f"file:{source_path}?mode=ro", uri=True, timeout=30)
    target = sqlite3.connect(destination)
    try:
        source.backup(target)  # pages=-1: everything in one step
    finally:
        target.close()
        source.close()


def sqlite_restore(snapshot: Path, url: str) -> None:
    """Replace the database's whole content with the snapshot's, through the online backup API
    (it takes the target's locks and rewrites its pages and WAL properly)."""
    check = sqlite3.connect(f"file:{snapshot}?mode=ro", uri=True)
    try:
        if check.execute("PRAGMA integrity_check").fetchone() != ("ok",):
            raise BackupError("the backup's SQLite database fails its integrity check")
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"the backup does not hold an SQLite database ({exc})") from None
    finally:
        check.close()
    target_path = sqlite_path(url)
    target_path.parent.mkdir(parents=True, exist_ok=True)
    source = sqlite3.connect(f"file:{snapshot}?mode=ro", uri=True)
    target = sqlite3.connect(target_path, timeout=30)
    try:
        source.backup(target)
    finally:
        target.close()
        source.close()


# Dump and client tools -------------------------------------------------------------------------

_INSTALL_HINT = {
    "mysql": "install the MariaDB client tools (Debian/Ubuntu: apt-get install mariadb-client)",
    "postgresql": "install the PostgreSQL client tools, of the server's major version or newer "
    "(Debian/Ubuntu: apt-get install postgresql-client)",
}


def find_tool(dialect: str, *names: str) -> str:
    for name in names:
        found = shutil.which(name)
        if found:
            return found
    raise BackupError(f"{' or '.join(names)} not found on PATH: {_INSTALL_HINT[dialect]}, or put it on PATH")


def check_tools(url: str, *, restoring: bool = False) -> None:
    """Fail early, with what to install, when the dump (or client) tool of the database is missing."""
    dialect = dialect_of(url)
    if dialect == "mysql":
        find_tool(dialect, *(("mariadb", "mysql") if restoring else ("mariadb-dump", "mysqldump")))
    elif dialect == "postgresql":
        find_tool(dialect, "psql" if restoring else "pg_dump")


@dataclass(frozen=True)
class ToolCommand:
    args: list[str]
    env: dict[str, str]


@contextlib.contextmanager
def mysql_options(url: URL) -> Iterator[str]:
    """A private option file with the connection (the password never on a command line)."""
    lines = ["[client]"]
    if url.host:
        lines.append(f"host={url.host}")
    if url.port:
        lines.append(f"port={url.port}")
    if url.username:
        lines.append(f"user={url.username}")
    if url.password:
        lines.append(f"password={_quoted(str(url.password))}")
    socket = url.query.get("unix_socket")
    if socket:
        lines.append(f"socket={socket}")
    with tempfile.TemporaryDirectory(prefix="carinho-backup-") as folder:
        path = Path(folder) / "client.cnf"
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write("\n".join(lines) + "\n")
        yield str(path)


def _quoted(value: str) -> str:
    escaped = value.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'


def postgres_env(url: URL) -> dict[str, str]:
    env = dict(os.environ)
    values = {
        "PGHOST": url.host,
        "PGPORT": str(url.port) if url.port else None,
        "PGUSER": url.username,
        "PGPASSWORD": str(url.password) if url.password else None,
        "PGDATABASE": url.database,
    }
    ssl = url.query.get("sslmode") or url.query.get("ssl")
    if isinstance(ssl, str):
        values["PGSSLMODE"] = {"true": "require", "false": "disable"}.get(ssl.lower(), ssl)
    env.update({k: v for k, v in values.items() if v})
    return env


@contextlib.contextmanager
def dump_command(url_text: str) -> Iterator[ToolCommand]:
    url = make_url(url_text)
    dialect = url.get_backend_name()
    if not url.database:
        raise BackupError("the database URL names no database")
    if dialect == "mysql":
        tool = find_tool(dialect, "mariadb-dump", "mysqldump")
        with mysql_options(url) as options:
            yield ToolCommand(
                [
                    tool,
                    f"--defaults-extra-file={options}",
                    "--single-transaction",  # one consistent InnoDB snapshot, no locks
                    "--quick",
                    "--skip-lock-tables",
                    "--routines",
                    "--triggers",
                    "--hex-blob",
                    "--no-tablespaces",
                    "--default-character-set=utf8mb4",
                    url.database,
                ],
                dict(os.environ),
            )
    elif dialect == "postgresql":
        tool = find_tool(dialect, "pg_dump")
        yield ToolCommand(
            [tool, "--format=plain", "--no-owner", "--no-privileges", "--quote-all-identifiers"],
            postgres_env(url),
        )
    else:
        raise BackupError(f"backups of {dialect} databases are not supported")


@contextlib.contextmanager
def load_command(url_text: str) -> Iterator[ToolCommand]:
    url = make_url(url_text)
    dialect = url.get_backend_name()
    if dialect == "mysql":
        tool = find_tool(dialect, "mariadb", "mysql")
        with mysql_options(url) as options:
            yield ToolCommand(
                [
                    tool,
                    f"--defaults-extra-file={options}",
                    "--default-character-set=utf8mb4",
                    "--batch",
                    str(url.database),
                ],
                dict(os.environ),
            )
    elif dialect == "postgresql":
        tool = find_tool(dialect, "psql")
        yield ToolCommand(
            [tool, "--no-psqlrc", "--quiet", "--set=ON_ERROR_STOP=1", "--single-transaction"],
            postgres_env(url),
        )
    else:
        raise BackupError(f"restores of {dialect} databases are not supported")


@contextlib.asynccontextmanager
async def _process(command: ToolCommand, stdin: BinaryIO | None) -> AsyncIterator[asyncio.subprocess.Process]:
    process = await asyncio.create_subprocess_exec(
        *command.args,
        stdin=stdin if stdin is not None else asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env=command.env,
    )
    try:
        yield process
    finally:
        if process.returncode is None:  # cancelled (time limit) or failed mid-way
            process.kill()
            await process.wait()


async def dump(url: str, out: BinaryIO) -> None:
    """Stream the tool's dump into `out` (a compressing, maybe encrypting, writer)."""
    with dump_command(url) as command:
        async with _process(command, None) as process:
            assert process.stdout is not None and process.stderr is not None
            errors = asyncio.ensure_future(process.stderr.read())
            while chunk := await process.stdout.read(_READ):
                await asyncio.to_thread(out.write, chunk)
            code = await process.wait()
            stderr = (await errors).decode(errors="replace").strip()
    if code != 0:
        name = Path(command.args[0]).name
        raise BackupError(f"{name} failed (exit {code}): {stderr[-2000:] or 'no message'}")


async def load(url: str, sql: Path) -> None:
    """Run the dump's SQL against the (emptied) target database with the client tool."""
    with load_command(url) as command, sql.open("rb") as source:
        async with _process(command, source) as process:
            _, stderr_bytes = await process.communicate()
            code = process.returncode
    if code != 0:
        name = Path(command.args[0]).name
        stderr = stderr_bytes.decode(errors="replace").strip()
        raise BackupError(f"{name} failed while restoring (exit {code}): {stderr[-2000:] or 'no message'}")
