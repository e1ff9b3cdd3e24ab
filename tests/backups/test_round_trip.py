"""`carinho backup` / `restore` on each backend (issue 15, item 10): a backup taken while the hub
keeps writing restores a consistent state — a prefix of the writes, each event with its job — and a
restore refuses a database that holds data unless forced, or that a running process uses."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

from carinho.backups.errors import BackupError
from carinho.backups.service import backup_context, restore
from carinho.config import Settings
from carinho.runtime import Runtime
from tests.backups.support import Writer, empty_databases, hub_state, write_events


async def test_a_backup_taken_during_writes_restores_a_consistent_prefix(
    rt: Runtime, settings: Settings, tmp_path: Path
) -> None:
    await write_events(rt, range(1, 1501), per_transaction=100)  # enough that the dump takes a while
    writer = Writer(rt, first=1501)
    writer.start()
    await writer.started.wait()
    before = writer.committed
    result = await backup_context(settings, "integracoes", directory=tmp_path / "backups")
    after = writer.committed
    await writer.stop()
    assert after > before, "the writer committed nothing while the backup ran"
    assert result.path.name.startswith("integracoes-") and result.header.revision

    async with empty_databases(settings.database_url("integracoes"), tmp_path) as target:
        target_settings = settings.with_overrides(
            integracoes_database_url=target["integracoes"], atendimento_database_url=target["atendimento"]
        )
        restored = await restore(target_settings, result.path)
        assert restored.context == "integracoes" and restored.replaced == []
        keys, event_ids, job_event_ids = await hub_state(target["integracoes"])

    # A prefix of the writes: events 1..n, none missing, none half-written (each with its job).
    n = len(keys)
    assert before <= n <= after
    assert keys == [f"k{i}" for i in range(1, n + 1)]
    assert job_event_ids == event_ids


async def test_restore_refuses_a_database_with_data_unless_forced(
    rt: Runtime, settings: Settings, tmp_path: Path
) -> None:
    await write_events(rt, range(1, 4))
    result = await backup_context(settings, "integracoes", directory=tmp_path / "backups")
    await write_events(rt, range(4, 7))  # written after the backup

    with pytest.raises(BackupError, match=r"not empty.*--force"):
        await restore(settings, result.path)
    assert (await hub_state(settings.database_url("integracoes")))[0] == [f"k{i}" for i in range(1, 7)]

    restored = await restore(settings, result.path, force=True)
    assert "integration_events" in restored.replaced
    keys, event_ids, job_event_ids = await hub_state(settings.database_url("integracoes"))
    assert keys == ["k1", "k2", "k3"] and job_event_ids == event_ids
    await write_events(rt, range(4, 5))  # the restored database works: its sequences go on
    assert (await hub_state(settings.database_url("integracoes")))[0][-1] == "k4"


async def test_restore_refuses_while_a_platform_process_runs(
    rt: Runtime, settings: Settings, tmp_path: Path
) -> None:
    result = await backup_context(settings, "atendimento", directory=tmp_path / "backups")
    engine = create_async_engine(settings.database_url("atendimento"), poolclass=NullPool)
    now = datetime.now(UTC).replace(tzinfo=None)
    async with engine.begin() as connection:  # what the scheduler of a running platform writes
        await connection.execute(
            text("INSERT INTO heartbeats (name, beat_at, details) VALUES ('scheduler', :now, '{}')"),
            {"now": now},
        )
    await engine.dispose()
    with pytest.raises(BackupError, match="is using the atendimento database"):
        await restore(settings, result.path, force=True)
