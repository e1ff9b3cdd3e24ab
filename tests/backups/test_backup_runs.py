"""The daily backup job records each attempt's outcome in the hub's database, for the hub's
`backup_failed` alert: a success with its file, a failure with its error, failures counted in a row."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from pydantic import SecretStr

from carinho import runtime
from carinho.backups import tasks
from carinho.backups.runs import HUB, BackupRun, record_name
from carinho.backups.service import restore
from carinho.config import Settings
from carinho.kit import migrations
from carinho.runtime import CONTEXTS, Runtime
from carinho.worker.jobs import get_job
from tests.support.sample_data import TEST_SECRETS


def _settings(data_dir: Path, **values: object) -> Settings:
    fields: dict[str, Any] = {"carinho_env": "test", "carinho_data_dir": data_dir, **TEST_SECRETS, **values}
    return Settings(_env_file=None, **fields)


async def _configure(settings: Settings) -> Runtime:
    settings.carinho_data_dir.mkdir(exist_ok=True)
    for context in CONTEXTS:
        migrations.upgrade(context, settings.database_url(context))
    return runtime.configure(settings)


@pytest.fixture
async def rt(tmp_path: Path) -> AsyncIterator[Runtime]:
    configured = await _configure(_settings(tmp_path / "data", backup_dir=str(tmp_path / "backups")))
    yield configured
    for db in configured.databases.values():
        await db.dispose()


async def _daily(rt: Runtime, context: str) -> None:
    async with rt.db(context).session() as session:
        await get_job(tasks.DAILY_JOBS[context]).fn(session)


async def _record(rt: Runtime, context: str) -> BackupRun:
    model = rt.spec(HUB).heartbeat
    async with rt.db(HUB).session() as session:
        row = await session.get(model, record_name(context))
        assert row is not None
        return BackupRun.from_row(context, row.beat_at, row.details)


async def test_each_attempt_of_the_daily_job_is_recorded_in_the_hubs_database(
    rt: Runtime, tmp_path: Path
) -> None:
    for context in CONTEXTS:
        await _daily(rt, context)
        run = await _record(rt, context)
        assert run.ok and run.failures_in_a_row == 0 and run.error is None
        assert run.file is not None and (tmp_path / "backups" / run.file).is_file()
        assert run.last_success_at is not None
    good = await _record(rt, "atendimento")

    broken = runtime.configure(rt.settings.with_overrides(backup_encryption_keys=SecretStr("short")))
    try:
        for attempt in (1, 2):
            with pytest.raises(Exception, match="32 bytes"):
                await _daily(broken, "atendimento")
            failed = await _record(broken, "atendimento")
            assert not failed.ok and failed.failures_in_a_row == attempt
            assert failed.error is not None and failed.error.startswith("BackupError:")
            # what the last success was stays known
            assert failed.last_success_at == good.last_success_at and failed.file == good.file
    finally:
        for db in broken.databases.values():
            await db.dispose()
    runtime.configure(rt.settings)
    await _daily(rt, "atendimento")
    assert (await _record(rt, "atendimento")).failures_in_a_row == 0


async def test_a_backup_record_is_not_taken_for_a_live_process_by_restore(
    rt: Runtime, tmp_path: Path
) -> None:
    await _daily(rt, "integracoes")
    [backup] = sorted((tmp_path / "backups").glob("integracoes-*.backup"))
    target = _settings(tmp_path / "target")
    target.carinho_data_dir.mkdir()
    migrations.upgrade("integracoes", target.database_url("integracoes"))
    result = await restore(target, backup, force=True)  # the record was written just now
    assert result.context == "integracoes"
