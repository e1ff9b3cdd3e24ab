"""`carinho migrate` and `carinho seed`."""

from __future__ import annotations

import asyncio
from typing import Annotated

import typer

from carinho.cli.common import settings_for_cli

Context = Annotated[
    str | None, typer.Option("--context", "-c", help="integracoes or atendimento (default: both).")
]


def register(app: typer.Typer) -> None:
    @app.command()
    def migrate(
        context: Context = None,
        revision: Annotated[str, typer.Option(help="Target revision.")] = "head",
        down: Annotated[bool, typer.Option("--down", help="Downgrade to --revision.")] = False,
    ) -> None:
        """Apply (or roll back) the database migrations of each bounded context."""
        from carinho import runtime
        from carinho.kit import migrations

        settings = settings_for_cli()
        for name in [context] if context else runtime.CONTEXTS:
            if name not in runtime.CONTEXTS:
                raise typer.BadParameter(f"unknown context {name!r}")
            url = settings.database_url(name)
            if down:
                migrations.downgrade(name, url, revision)
            else:
                migrations.upgrade(name, url, revision)
            typer.echo(f"{name}: {'downgraded' if down else 'upgraded'} to {revision}")

    @app.command()
    def seed() -> None:
        """Create what a new installation needs (idempotent): secrets, first API key and supervisor."""
        from carinho import runtime
        from carinho.bootstrap import (
            Credentials,
            ensure_first_credentials,
            ensure_local_hub_key,
            ensure_secrets,
            migrate_all,
        )

        settings, created = ensure_secrets(settings_for_cli())
        migrate_all(settings)
        credentials = Credentials(secrets=created)

        async def main() -> None:
            rt = runtime.configure(settings)
            await ensure_first_credentials(rt, credentials)
            await ensure_local_hub_key(rt)  # atendimento's key to the hub, when the env file holds one
            for db in rt.databases.values():
                await db.dispose()

        asyncio.run(main())
        lines = credentials.lines()
        typer.echo("\n".join(lines) if lines else "Nothing to create: already seeded.")
