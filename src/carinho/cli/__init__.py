"""The `carinho` command."""

from __future__ import annotations

import typer

from carinho.cli import agents, apikeys, backups, database, operators, privacy, processes, secrets_env

app = typer.Typer(
    help="Carinho platform: integracoes (integration hub) and atendimento (contact center).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
processes.register(app)
database.register(app)
backups.register(app)
app.add_typer(apikeys.app, name="apikey")
app.add_typer(agents.app, name="agents")
app.add_typer(operators.app, name="operators")
app.add_typer(privacy.app, name="privacy")
app.add_typer(secrets_env.app, name="secrets")


def main() -> None:
    app()
