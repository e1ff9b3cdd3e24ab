"""`carinho backup` and `carinho restore`: database backups of each bounded context."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer

from carinho.cli.common import settings_for_cli
from carinho.errors import CarinhoError

T = TypeVar("T")


def _run(work: Coroutine[Any, Any, T]) -> T:
    try:
        return asyncio.run(work)
    except CarinhoError as exc:
        typer.secho(f"error: {exc.message}", err=True, fg=typer.colors.RED)
        raise typer.Exit(1) from None


def register(app: typer.Typer) -> None:
    @app.command()
    def backup(
        context: Annotated[
            str | None, typer.Option("--context", "-c", help="integracoes or atendimento (default: both).")
        ] = None,
        directory: Annotated[
            Path | None,
            typer.Option("--dir", help="Folder (default: BACKUP_DIR, else $CARINHO_DATA_DIR/backups)."),
        ] = None,
        keep: Annotated[
            int | None, typer.Option(min=1, help="Backups kept per context (default: BACKUP_KEEP).")
        ] = None,
        list_: Annotated[
            bool, typer.Option("--list", help="List the backups instead of taking one.")
        ] = False,
        new_key_: Annotated[
            bool, typer.Option("--new-key", help="Print a new key for BACKUP_ENCRYPTION_KEYS and exit.")
        ] = False,
    ) -> None:
        """Back up each context's database: a consistent snapshot, compressed (and encrypted with
        BACKUP_ENCRYPTION_KEYS), one dated file per context; keeps the newest BACKUP_KEEP."""
        from carinho.backups import service
        from carinho.backups.encryption import new_key
        from carinho.runtime import CONTEXTS

        if new_key_:
            typer.echo(new_key())
            return
        settings = settings_for_cli()
        if list_:
            found = service.list_backups(settings, directory)
            if not found:
                typer.echo(f"No backups in {directory or service.backup_dir(settings)}")
            for header, path in found:
                lock = "encrypted" if header.encrypted else "not encrypted"
                typer.echo(
                    f"{header.context:<12} {header.created:%Y-%m-%d %H:%M:%S} UTC  "
                    f"{path.stat().st_size:>12,} bytes  {lock:<13}  {path}"
                )
            return
        contexts = [context] if context else list(CONTEXTS)

        async def main() -> list[Any]:
            from carinho import runtime
            from carinho.backups.runs import backup_and_record

            rt = runtime.configure(settings)
            try:  # each success is recorded as a daily run's is: it resolves a backup_failed alert
                return [
                    await backup_and_record(
                        rt, name, directory=directory, keep=keep or settings.backup_keep, record_failure=False
                    )
                    for name in contexts
                ]
            finally:
                for db in rt.databases.values():
                    await db.dispose()

        for result in _run(main()):
            lock = "encrypted" if result.header.encrypted else "not encrypted"
            typer.echo(f"{result.context}: {result.path} ({result.size:,} bytes, {lock})")
            for old in result.pruned:
                typer.echo(f"{result.context}: removed {old.name} (BACKUP_KEEP)")

    @app.command()
    def restore(
        file: Annotated[Path, typer.Argument(help="A file written by `carinho backup`.")],
        force: Annotated[
            bool,
            typer.Option("--force", help="Replace a database that already holds data (all of it is lost)."),
        ] = False,
    ) -> None:
        """Restore a backup into its context's database (INTEGRACOES_/ATENDIMENTO_DATABASE_URL).
        Stop the platform first. Refuses a database that holds data unless --force."""
        from carinho.backups import service

        settings = settings_for_cli()
        result = _run(service.restore(settings, file, force=force))
        taken = f"{result.header.created:%Y-%m-%d %H:%M:%S} UTC"
        typer.echo(
            f"{result.context}: restored {file.name} (taken {taken}, revision {result.header.revision})"
        )
        if result.replaced:
            typer.echo(f"{result.context}: replaced the data that was there ({len(result.replaced)} tables)")
        typer.echo("Run `carinho migrate` (or `carinho up`) before starting the platform again.")
