"""`carinho apikey create|list|revoke`: keys of the hub's API."""

from __future__ import annotations

from typing import TYPE_CHECKING

import typer

from carinho.cli.common import run_in_context

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

app = typer.Typer(help="Manage the hub's API keys (X-API-Key).", no_args_is_help=True)


@app.command("create")
def create(name: str = typer.Argument(..., help="Who or what uses the key, e.g. 'crm'.")) -> None:
    """Create a key. The key is printed once, as the last line of output; only its hash is kept."""
    from carinho.integracoes.apikeys.service import api_key_service

    async def work(session: AsyncSession) -> tuple[int, str]:
        key, plaintext = await api_key_service.create(session, name)
        return key.id, plaintext

    key_id, plaintext = run_in_context("integracoes", work)
    typer.echo(f"Created API key #{key_id} '{name}'. Store it now: it is not shown again.")
    typer.echo(plaintext)


@app.command("list")
def list_keys() -> None:
    """List keys (never their secrets)."""
    from carinho.integracoes.apikeys.service import api_key_service

    async def work(session: AsyncSession) -> list[str]:
        return [
            f"{k.id:>4}  ck_{k.prefix}_…  {'active ' if k.active else 'revoked'}  "
            f"{k.created_at:%Y-%m-%d %H:%M}  {k.name}"
            for k in await api_key_service.list(session)
        ]

    rows = run_in_context("integracoes", work)
    typer.echo("  id  key                 status   created           name")
    for row in rows:
        typer.echo(row)


@app.command("revoke")
def revoke(key: str = typer.Argument(..., help="The key's id, or the key itself.")) -> None:
    """Revoke a key: it stops working at once."""
    from carinho.integracoes.apikeys.service import api_key_service

    async def work(session: AsyncSession) -> str:
        revoked = await api_key_service.revoke(session, key)
        return f"Revoked API key #{revoked.id} '{revoked.name}'."

    typer.echo(run_in_context("integracoes", work))
