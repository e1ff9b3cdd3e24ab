"""The `backup_failed` rule: a context's daily backup failing every attempt of a run opens one alert
(per context), a later success resolves it once; a backup that stops running (no success within the
window) opens one too; retries that end well, and a hub that never ran a backup, open nothing."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path

import pytest

from carinho.backups.runs import DAILY_ATTEMPTS, backup_and_record, record_run
from carinho.integracoes.alerts.rules import KINDS
from carinho.integracoes.alerts.service import alert_service
from carinho.kit import clock
from carinho.runtime import Runtime
from tests.integracoes.alerts.support import alerts, evaluate, set_rule

pytestmark = pytest.mark.usefixtures("still_clock")

ERROR = "BackupError: pg_dump not found on PATH: install the PostgreSQL client"


async def _fail(rt: Runtime, context: str, times: int) -> None:
    for _ in range(times):
        await record_run(rt, context, ok=False, error=ERROR)


async def test_a_run_failing_every_attempt_opens_once_and_a_success_resolves_once(rt: Runtime) -> None:
    assert KINDS["backup_failed"].default_threshold == DAILY_ATTEMPTS
    await _fail(rt, "atendimento", DAILY_ATTEMPTS)

    first = await evaluate(rt)
    assert len(first.opened) == 1 and first.resolved == []
    assert (await evaluate(rt)).opened == []  # still failing: no second alert, no storm
    await _fail(rt, "atendimento", 1)  # the next day's first attempt fails too: the same alert
    assert (await evaluate(rt)).opened == []
    [alert] = await alerts(rt)
    assert (alert.status, alert.kind, alert.subject) == ("open", "backup_failed", "atendimento")
    # as it was when it opened
    assert alert.title == "Backup diário de atendimento falhou nas últimas 3 tentativas (BackupError)"
    assert alert.details["error"] == ERROR and alert.details["failures_in_a_row"] == 3

    await record_run(rt, "atendimento", ok=True, file="atendimento-2026-12-08T05-45-00Z.sqlite.backup")
    resolved = await evaluate(rt)
    assert resolved.resolved == [alert.id] and resolved.opened == []
    assert (await evaluate(rt)).resolved == []
    [done] = await alerts(rt)
    assert done.status == "resolved" and done.open_key is None


async def test_a_backup_taken_by_hand_resolves_the_alert_once(rt: Runtime, tmp_path: Path) -> None:
    """`carinho backup` (the CLI runs backup_and_record without recording failures) clears the alert
    that the failing daily run opened: resolved once, at the next evaluation, and not again."""
    await _fail(rt, "integracoes", DAILY_ATTEMPTS)
    [opened] = (await evaluate(rt)).opened

    result = await backup_and_record(rt, "integracoes", directory=tmp_path, record_failure=False)
    assert result.path.is_file()
    assert (await evaluate(rt)).resolved == [opened]
    assert (await evaluate(rt)).resolved == []
    [alert] = await alerts(rt)
    assert alert.status == "resolved"


async def test_a_failing_backup_taken_by_hand_counts_no_attempt(rt: Runtime, tmp_path: Path) -> None:
    await _fail(rt, "integracoes", DAILY_ATTEMPTS - 1)
    not_a_folder = tmp_path / "file"
    not_a_folder.write_text("")
    with pytest.raises(OSError):
        await backup_and_record(rt, "integracoes", directory=not_a_folder, record_failure=False)
    assert (await evaluate(rt)).opened == []


async def test_retries_that_end_well_open_nothing(rt: Runtime) -> None:
    await _fail(rt, "integracoes", DAILY_ATTEMPTS - 1)
    assert (await evaluate(rt)).opened == []
    await record_run(rt, "integracoes", ok=True, file="integracoes.backup")
    assert (await evaluate(rt)).opened == []
    assert await alerts(rt) == []


async def test_each_context_is_its_own_alert(rt: Runtime) -> None:
    await _fail(rt, "integracoes", DAILY_ATTEMPTS)
    await _fail(rt, "atendimento", DAILY_ATTEMPTS)
    await evaluate(rt)
    assert sorted(a.subject for a in await alerts(rt)) == ["atendimento", "integracoes"]
    await record_run(rt, "integracoes", ok=True)
    result = await evaluate(rt)
    assert len(result.resolved) == 1
    assert {a.subject: a.status for a in await alerts(rt)} == {
        "atendimento": "open",
        "integracoes": "resolved",
    }


async def test_no_success_within_the_window_opens_and_the_next_success_resolves(rt: Runtime) -> None:
    await record_run(rt, "integracoes", ok=True)
    clock.advance(timedelta(hours=25))
    assert (await evaluate(rt)).opened == []  # within the default 26 h
    clock.advance(timedelta(hours=1))
    opened = await evaluate(rt)
    [alert] = await alerts(rt)
    assert opened.opened == [alert.id] and alert.title == "Nenhum backup de integracoes bem-sucedido há 26 h"

    await record_run(rt, "integracoes", ok=True)
    assert (await evaluate(rt)).resolved == [alert.id]


async def test_an_admins_thresholds_apply_and_nothing_before_the_first_run(rt: Runtime) -> None:
    assert (await evaluate(rt)).opened == []  # a new hub: no backup ran yet, nothing to say
    await set_rule(rt, "backup_failed", threshold=1, window_minutes=60)
    await _fail(rt, "integracoes", 1)
    assert len((await evaluate(rt)).opened) == 1
    await set_rule(rt, "backup_failed", threshold=1, window_minutes=60, enabled=False)
    assert len((await evaluate(rt)).resolved) == 1  # a disabled rule's alerts resolve


async def test_concurrent_evaluations_open_it_once(rt: Runtime) -> None:
    await _fail(rt, "atendimento", DAILY_ATTEMPTS)

    async def one() -> list[int]:
        async with rt.db("integracoes").session() as session:
            result = await alert_service.evaluate(session)
            await session.commit()
            return result.opened

    results = await asyncio.gather(one(), one(), one())
    assert sum(len(r) for r in results) == 1
    assert len(await alerts(rt)) == 1
