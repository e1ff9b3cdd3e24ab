"""The outcome of each daily backup, kept where the hub reads it: a row of the hub's `heartbeats`
table per context (`backup:<context>`), whichever worker ran the backup and whichever context it
saved. The hub's alert rule `backup_failed` reads these rows (integracoes/alerts/conditions.py): a
success, daily or taken by hand (`carinho backup`), resolves its alert at the next evaluation."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from carinho.backups.service import BackupResult, backup_context
from carinho.kit.clock import utcnow
from carinho.logging import get_logger
from carinho.runtime import Runtime
from carinho.worker.scheduler import upsert_heartbeat

log = get_logger(__name__)

HUB = "integracoes"  # the context whose database keeps the record: the operators' console reads it
DAILY_ATTEMPTS = 3  # attempts of one daily run (the job's max_attempts)
ERROR_CHARS = 200


def record_name(context: str) -> str:
    return f"backup:{context}"


@dataclass(frozen=True)
class BackupRun:
    """The last attempt of a context's daily backup, and what came before it."""

    context: str
    finished_at: datetime
    ok: bool
    error: str | None = None
    failures_in_a_row: int = 0
    last_success_at: datetime | None = None
    file: str | None = None

    def details(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "error": self.error,
            "failures_in_a_row": self.failures_in_a_row,
            "last_success_at": self.last_success_at.isoformat() if self.last_success_at else None,
            "file": self.file,
        }

    @classmethod
    def from_row(cls, context: str, beat_at: datetime, details: dict[str, Any]) -> BackupRun:
        success = details.get("last_success_at")
        return cls(
            context=context,
            finished_at=beat_at,
            ok=bool(details.get("ok")),
            error=details.get("error"),
            failures_in_a_row=int(details.get("failures_in_a_row") or 0),
            last_success_at=datetime.fromisoformat(success) if success else None,
            file=details.get("file"),
        )


async def record_run(
    rt: Runtime, context: str, *, ok: bool, error: str | None = None, file: str | None = None
) -> BackupRun | None:
    """Keep this attempt's outcome (a failure counts on from the previous ones). Never raises: a
    backup that worked stays a success when the hub's database cannot take the note."""
    model = rt.spec(HUB).heartbeat
    name = record_name(context)
    try:
        async with rt.db(HUB).session() as session:
            row = await session.get(model, name)
            previous = BackupRun.from_row(context, row.beat_at, row.details) if row is not None else None
            now = utcnow()
            run = BackupRun(
                context=context,
                finished_at=now,
                ok=ok,
                error=error[:ERROR_CHARS] if error else None,
                failures_in_a_row=0 if ok else (previous.failures_in_a_row if previous else 0) + 1,
                last_success_at=now if ok else (previous.last_success_at if previous else None),
                file=file if ok else (previous.file if previous else None),
            )
            await upsert_heartbeat(session, model, name, run.details())
            await session.commit()
            return run
    except Exception as exc:  # the backup's own outcome is what matters to the job
        log.error("backup.run_not_recorded", context=context, error=f"{type(exc).__name__}: {exc}")
        return None


async def backup_and_record(
    rt: Runtime,
    context: str,
    *,
    directory: Path | None = None,
    keep: int | None = None,
    record_failure: bool = True,
) -> BackupResult:
    """Back up a context and record the outcome. The daily job records failures too (they count
    towards its alert); a backup taken by hand records only its success (its failure is shown to
    the operator at the terminal, and is no daily attempt)."""
    try:
        result = await backup_context(rt.settings, context, directory=directory, keep=keep)
    except Exception as exc:
        error = f"{type(exc).__name__}: {exc}"
        log.error("backup.failed", context=context, error=error)
        if record_failure:
            await record_run(rt, context, ok=False, error=error)
        raise
    await record_run(rt, context, ok=True, file=result.path.name)
    return result
