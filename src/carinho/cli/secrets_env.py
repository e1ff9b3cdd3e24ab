"""`carinho secrets generate`: print a complete production env file with fresh secrets."""

from __future__ import annotations

from typing import Annotated

import typer

app = typer.Typer(help="Secrets of a production installation.", no_args_is_help=True)


@app.command()
def generate(
    database: Annotated[str, typer.Option(help="postgresql or mariadb.")] = "postgresql",
    database_host: Annotated[
        str, typer.Option(help="Host (and :port) of the database server.")
    ] = "127.0.0.1",
    database_user: Annotated[str, typer.Option(help="Database user.")] = "carinho",
    database_password: Annotated[str, typer.Option(help="Database password (empty: none).")] = "",
    redis_url: Annotated[
        str, typer.Option(help="Redis shared by every process.")
    ] = "redis://127.0.0.1:6379/0",
    data_dir: Annotated[
        str, typer.Option(help="CARINHO_DATA_DIR (backups, local files).")
    ] = "/var/lib/carinho",
    sandbox: Annotated[
        bool, typer.Option(help="Point Z-API, e-mail and the Carinho systems at `carinho serve sandbox`.")
    ] = False,
) -> None:
    """Print a production env file (dotenv) with fresh secrets: `carinho secrets generate > carinho.env`.
    Nothing is stored: keep the output, readable by the service account only."""
    from carinho.production_env import DRIVERS, Target, production_env

    if database not in DRIVERS:
        raise typer.BadParameter(f"choose one of: {', '.join(DRIVERS)}", param_hint="--database")
    target = Target(
        database=database,
        database_host=database_host,
        database_user=database_user,
        database_password=database_password,
        redis_url=redis_url,
        data_dir=data_dir,
        sandbox=sandbox,
    )
    typer.echo(production_env(target), nl=False)
