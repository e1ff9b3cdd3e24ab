"""The backup file: a one-line magic, a one-line JSON header, then the gzip-compressed snapshot
(sealed by `encryption` when BACKUP_ENCRYPTION_KEYS is set).

    CARINHO-BACKUP 1
    {"context": "atendimento", "dialect": "postgresql", "created_at": "...", "revision": "...", ...}
    <gzip bytes, or sealed chunks of them>

Unencrypted, the body is a plain gzip stream: `tail -n +3 FILE | gunzip` gives the SQL dump (MariaDB,
PostgreSQL) or the SQLite database file. Files are named `<context>-<UTC stamp>.<dialect>.backup`.
"""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import json
import os
import shutil
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import BinaryIO

from carinho.backups.encryption import (
    BackupKeyError,
    DecryptingReader,
    EncryptingWriter,
    decode_key,
    key_id,
    keys_by_id,
    new_nonce_prefix,
)
from carinho.backups.errors import BackupError
from carinho.kit.crypto import parse_keys

MAGIC = b"CARINHO-BACKUP 1\n"
SUFFIX = ".backup"
FORMAT_SQLITE = "sqlite-file"
FORMAT_SQL = "sql"
_COPY_CHUNK = 1024 * 1024


@dataclass(frozen=True)
class BackupHeader:
    context: str
    dialect: str  # sqlite, mysql (MariaDB/MySQL) or postgresql
    format: str  # FORMAT_SQLITE or FORMAT_SQL
    created_at: str  # ISO 8601, UTC
    revision: str | None  # the context's Alembic revision when it was taken
    key_id: str | None = None  # the encryption key's id; None: not encrypted
    nonce_prefix: str | None = None

    @property
    def encrypted(self) -> bool:
        return self.key_id is not None

    def line(self) -> bytes:
        return json.dumps(asdict(self), sort_keys=True).encode() + b"\n"

    @property
    def created(self) -> datetime:
        return datetime.fromisoformat(self.created_at)


def file_name(context: str, dialect: str, created_at: datetime) -> str:
    # No run of 8 digits (a compact 20261207T...): the log masker would take it for a phone number.
    return f"{context}-{created_at.astimezone(UTC):%Y-%m-%dT%H-%M-%SZ}.{dialect}{SUFFIX}"


@contextlib.contextmanager
def writing(directory: Path, header: BackupHeader, encryption_keys: str) -> Iterator[tuple[BinaryIO, Path]]:
    """(a binary stream to write the snapshot to, the final path). The file appears under its final
    name only once complete (written as `.partial`, then renamed); on error nothing is left."""
    keys = parse_keys(encryption_keys)
    if keys:
        header = BackupHeader(
            **{**asdict(header), "key_id": key_id(keys[0]), "nonce_prefix": new_nonce_prefix().hex()}
        )
    directory.mkdir(parents=True, exist_ok=True)
    final = directory / file_name(header.context, header.dialect, header.created)
    counter = 1
    while final.exists():  # two backups in one second
        counter += 1
        final = final.with_name(final.name.replace(SUFFIX, f".{counter}{SUFFIX}"))
    partial = final.with_name(final.name + ".partial")
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)  # personal data: owner only
    try:
        with os.fdopen(fd, "wb") as raw:
            header_line = header.line()
            raw.write(MAGIC + header_line)
            sealer: EncryptingWriter | None = None
            target: BinaryIO = raw
            if header.encrypted:
                assert header.nonce_prefix is not None
                prefix = bytes.fromhex(header.nonce_prefix)
                sealer = EncryptingWriter(raw, decode_key(keys[0]), prefix, _digest(header_line))
                target = sealer  # type: ignore[assignment]
            with gzip.GzipFile(fileobj=target, mode="wb", compresslevel=6, mtime=0) as compressed:
                yield compressed, final  # type: ignore[misc]
            if sealer is not None:
                sealer.close()
            raw.flush()
            os.fsync(raw.fileno())
        os.replace(partial, final)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise


def read_header(path: Path) -> BackupHeader:
    with path.open("rb") as raw:
        return _read_header(raw, path)[0]


def _read_header(raw: BinaryIO, path: Path) -> tuple[BackupHeader, bytes]:
    if raw.read(len(MAGIC)) != MAGIC:
        raise BackupError(f"{path} is not a Carinho backup (made by `carinho backup`)")
    line = raw.readline(64 * 1024)
    try:
        values = json.loads(line)
        return BackupHeader(**values), line
    except (ValueError, TypeError):
        raise BackupError(f"{path}: the backup's header is damaged") from None


def extract(path: Path, destination: Path, encryption_keys: str) -> BackupHeader:
    """Decrypt and decompress the whole snapshot into `destination`, checking its integrity (the
    gzip CRC, and the authentication of every encrypted chunk) before anything is restored."""
    with path.open("rb") as raw:
        header, line = _read_header(raw, path)
        source: BinaryIO = raw
        if header.encrypted:
            if not parse_keys(encryption_keys):
                raise BackupError(
                    f"{path.name} is encrypted: set BACKUP_ENCRYPTION_KEYS to the key it was made with"
                )
            key = keys_by_id(encryption_keys).get(header.key_id or "")
            if key is None:
                raise BackupError(
                    f"{path.name} was encrypted with a key that is not in BACKUP_ENCRYPTION_KEYS "
                    f"(key id {header.key_id})"
                )
            source = DecryptingReader(  # type: ignore[assignment]
                raw, key, bytes.fromhex(header.nonce_prefix or ""), _digest(line)
            )
        fd = os.open(destination, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            with os.fdopen(fd, "wb") as out, gzip.GzipFile(fileobj=source, mode="rb") as compressed:
                shutil.copyfileobj(compressed, out, _COPY_CHUNK)
        except (OSError, EOFError, gzip.BadGzipFile) as exc:
            destination.unlink(missing_ok=True)
            raise BackupError(f"{path.name} is damaged: {exc}") from None
        except BackupKeyError as exc:
            destination.unlink(missing_ok=True)
            raise BackupError(f"{path.name}: {exc}") from None
    return header


def backups_of(directory: Path, context: str) -> list[tuple[BackupHeader, Path]]:
    """The complete backups of a context in `directory`, oldest first."""
    found: list[tuple[BackupHeader, Path]] = []
    if not directory.is_dir():
        return found
    for path in directory.glob(f"{context}-*{SUFFIX}"):
        try:
            header = read_header(path)
        except (BackupError, OSError):
            continue  # not ours: never deleted
        if header.context == context:
            found.append((header, path))
    found.sort(key=lambda item: (item[0].created, item[1].name))
    return found


def prune(directory: Path, context: str, keep: int) -> list[Path]:
    """Delete all but the newest `keep` backups of a context; the deleted paths."""
    backups = backups_of(directory, context)
    doomed = [path for _, path in backups[: max(0, len(backups) - keep)]]
    for path in doomed:
        path.unlink(missing_ok=True)
    return doomed


def _digest(header_line: bytes) -> bytes:
    return hashlib.sha256(MAGIC + header_line).digest()
