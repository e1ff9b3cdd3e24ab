"""The backup files (issue 15, item 10): encrypted when a key is set and useless without it,
tamper-evident, the newest BACKUP_KEEP kept, clear errors, the daily job, and the commands."""

from __future__ import annotations

import gzip
import subprocess
import sys
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from apscheduler.triggers.cron import CronTrigger
from pydantic import SecretStr

from carinho import runtime
from carinho.backups import archive
from carinho.backups.encryption import new_key
from carinho.backups.errors import BackupError
from carinho.backups.service import backup_context, restore
from carinho.config import Settings
from carinho.kit import clock, migrations
from carinho.kit.masking import mask_text
from carinho.runtime import CONTEXTS, Runtime
from carinho.worker.scheduler import Scheduler, periodic_jobs
from tests.backups.support import hub_state, write_events
from tests.support.jobs import drain
from tests.support.processes import ROOT, carinho_env
from tests.support.sample_data import TEST_SECRETS


def sqlite_settings(data_dir: Path, **values: object) -> Settings:
    return Settings(  # type: ignore[call-arg]
        _env_file=None, carinho_env="test", carinho_data_dir=data_dir, **TEST_SECRETS, **values
    )


@pytest.fixture
async def source(tmp_path: Path) -> AsyncIterator[Runtime]:
    """SQLite databases of both contexts with three hub events."""
    settings = sqlite_settings(tmp_path / "source")
    settings.carinho_data_dir.mkdir()
    for context in CONTEXTS:
        migrations.upgrade(context, settings.database_url(context))
    rt = runtime.configure(settings)
    await write_events(rt, range(1, 4))
    yield rt
    for db in rt.databases.values():
        await db.dispose()


def fresh_target(tmp_path: Path, name: str, **values: object) -> Settings:
    return sqlite_settings(tmp_path / name, **values)


async def test_an_encrypted_backup_needs_its_key_and_detects_tampering(
    source: Runtime, tmp_path: Path
) -> None:
    old, new = new_key(), new_key()
    settings = source.settings.with_overrides(backup_encryption_keys=SecretStr(old))
    result = await backup_context(settings, "integracoes", directory=tmp_path / "backups")
    assert result.header.encrypted
    body = result.path.read_bytes().split(b"\n", 2)[2]
    assert b"lead number" not in body and not body.startswith(b"\x1f\x8b")  # neither clear nor gzip

    with pytest.raises(BackupError, match="encrypted: set BACKUP_ENCRYPTION_KEYS"):
        await restore(fresh_target(tmp_path, "t1"), result.path)
    with pytest.raises(BackupError, match="key that is not in BACKUP_ENCRYPTION_KEYS"):
        await restore(fresh_target(tmp_path, "t2", backup_encryption_keys=new), result.path)

    damaged = tmp_path / "damaged.backup"
    data = bytearray(result.path.read_bytes())
    data[-40] ^= 1
    damaged.write_bytes(bytes(data))
    target = fresh_target(tmp_path, "t3", backup_encryption_keys=old)
    with pytest.raises(BackupError, match="damaged or was altered"):
        await restore(target, damaged)
    assert not Path(target.database_url("integracoes").split("///", 1)[1]).exists()  # untouched

    truncated = tmp_path / "truncated.backup"
    truncated.write_bytes(result.path.read_bytes()[:-100])
    with pytest.raises(BackupError, match=r"truncated|damaged"):
        await restore(target, truncated)

    rotated = fresh_target(tmp_path, "t4", backup_encryption_keys=f"{new},{old}")  # new key first
    await restore(rotated, result.path)
    assert (await hub_state(rotated.database_url("integracoes")))[0] == ["k1", "k2", "k3"]


async def test_an_unencrypted_backup_is_plain_gzip_after_its_header(source: Runtime, tmp_path: Path) -> None:
    result = await backup_context(source.settings, "integracoes", directory=tmp_path / "backups")
    header_lines, body = (
        result.path.read_bytes().split(b"\n", 2)[:2],
        result.path.read_bytes().split(b"\n", 2)[2],
    )
    assert header_lines[0] == b"CARINHO-BACKUP 1" and not result.header.encrypted
    assert gzip.decompress(body).startswith(b"SQLite format 3\x00")
    assert oct(result.path.stat().st_mode & 0o777) == "0o600"


async def test_only_the_newest_backups_are_kept(source: Runtime, tmp_path: Path) -> None:
    folder = tmp_path / "backups"
    folder.mkdir()
    foreign = folder / "integracoes-notes.txt"
    foreign.write_text("not a backup")
    made = [await backup_context(source.settings, "integracoes", directory=folder, keep=2) for _ in range(4)]
    other = await backup_context(source.settings, "atendimento", directory=folder, keep=2)
    remaining = [path for _, path in archive.backups_of(folder, "integracoes")]
    assert remaining == [made[2].path, made[3].path]
    assert made[3].pruned == [made[1].path]
    assert other.path.exists() and foreign.exists()


async def test_clear_errors(source: Runtime, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    backup = await backup_context(source.settings, "integracoes", directory=tmp_path / "backups")
    elsewhere = source.settings.with_overrides(
        integracoes_database_url="postgresql+asyncpg://u@127.0.0.1:1/x"
    )
    with pytest.raises(
        BackupError, match="backup of a SQLite database, but INTEGRACOES_DATABASE_URL points at PostgreSQL"
    ):
        await restore(elsewhere, backup.path)
    not_ours = tmp_path / "dump.sql"
    not_ours.write_text("SELECT 1;")
    with pytest.raises(BackupError, match="not a Carinho backup"):
        await restore(source.settings, not_ours)
    with pytest.raises(BackupError, match="no such file"):
        await restore(source.settings, tmp_path / "missing.backup")
    with pytest.raises(BackupError, match="32 bytes"):
        await backup_context(
            source.settings.with_overrides(backup_encryption_keys=SecretStr("short")), "integracoes"
        )

    monkeypatch.setenv("PATH", str(tmp_path / "no-tools"))
    for url, tool in (
        (
            "mysql+asyncmy://u@127.0.0.1:1/x",
            "mariadb-dump or mysqldump not found on PATH: install the MariaDB",
        ),
        ("postgresql+asyncpg://u@127.0.0.1:1/x", "pg_dump not found on PATH: install the PostgreSQL"),
    ):
        with pytest.raises(BackupError, match=tool):
            await backup_context(source.settings.with_overrides(atendimento_database_url=url), "atendimento")


async def test_the_scheduler_backs_up_each_context_daily_keeping_backup_keep(
    source: Runtime, tmp_path: Path
) -> None:
    folder = tmp_path / "daily"
    settings = source.settings.with_overrides(backup_dir=str(folder), backup_keep=2)
    rt = runtime.configure(settings)
    try:
        for context in CONTEXTS:
            spec = periodic_jobs()[f"{context}.backup_daily"]
            assert isinstance(spec.trigger, CronTrigger)
            assert str(spec.trigger.timezone) == "America/Sao_Paulo" and "hour='2'" in str(spec.trigger)
        for _ in range(3):  # three days (each day's slot: the scheduler dedupes a job per instant)
            clock.advance(timedelta(days=1))
            for context in CONTEXTS:
                await Scheduler(rt).enqueue_periodic(periodic_jobs()[f"{context}.backup_daily"])
            await drain(rt)
        for context in CONTEXTS:
            assert len(archive.backups_of(folder, context)) == 2
    finally:
        clock.reset()
        for db in rt.databases.values():
            await db.dispose()


def carinho(data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "carinho", *args],
        cwd=ROOT,
        env=carinho_env(carinho_data_dir=data_dir, carinho_log_level="WARNING"),
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )


@pytest.mark.slow
def test_the_commands_back_up_and_restore(tmp_path: Path) -> None:
    data = tmp_path / "data"
    assert carinho(data, "seed").returncode == 0  # data in both databases (first credentials)
    made = carinho(data, "backup")
    assert made.returncode == 0, made.stderr
    files = sorted((data / "backups").glob("*.backup"))
    assert [f.name.split("-")[0] for f in files] == ["atendimento", "integracoes"]
    listed = carinho(data, "backup", "--list")
    assert all(str(f) in listed.stdout for f in files)

    refused = carinho(data, "restore", str(files[0]))
    assert refused.returncode == 1
    assert "error: the atendimento database is not empty" in refused.stderr and "--force" in refused.stderr
    assert "Traceback" not in refused.stderr
    forced = carinho(data, "restore", "--force", str(files[0]))
    assert forced.returncode == 0, forced.stderr
    assert "atendimento: restored" in forced.stdout

    fresh = tmp_path / "fresh"
    into_empty = carinho(fresh, "restore", str(files[1]))
    assert into_empty.returncode == 0, into_empty.stderr
    assert carinho(fresh, "migrate").returncode == 0


def test_a_backup_file_name_reads_whole_in_the_logs() -> None:
    name = archive.file_name("atendimento", "sqlite", datetime(2026, 12, 7, 1, 26, 9, tzinfo=UTC))
    assert name == "atendimento-2026-12-07T01-26-09Z.sqlite.backup"
    assert mask_text(name) == name  # nothing in it looks like a phone number to the log masker
