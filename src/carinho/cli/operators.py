"""`carinho operators create|list`: the hub console's operator accounts."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from carinho.cli.common import run_in_context
from carinho.integracoes.operators.roles import OperatorRole

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

app = typer.Typer(help="Manage the hub console's operators (viewer, operator, admin).")


@app.command("create")
def create(
    name: Annotated[str, typer.Argument(help="Full name.")],
    email: Annotated[str, typer.Argument(help="Login e-mail.")],
    role: Annotated[OperatorRole, typer.Option(help="viewer, operator or admin.")] = OperatorRole.viewer,
) -> None:
    """Create an operator. The initial password is printed once, as the last line of output."""
    from carinho.integracoes.operators.service import operator_service

    async def work(session: AsyncSession) -> tuple[int, str]:
        operator, password = await operator_service.create(session, name=name, email=email, role=role)
        return operator.id, password

    operator_id, password = run_in_context("integracoes", work)
    typer.echo(f"Created operator #{operator_id} {email} ({role.label}). Initial password (shown only now):")
    typer.echo(password)


@app.command("list")
def list_operators() -> None:
    """List operators (never their passwords)."""
    from carinho.integracoes.operators.service import operator_service

    async def work(session: AsyncSession) -> list[str]:
        return [
            f"{o.id:>4}  {OperatorRole(o.role).label:<13} {'ativo  ' if o.active else 'inativo'}  "
            f"{o.email:<32} {o.name}"
            for o in await operator_service.list(session)
        ]

    rows = run_in_context("integracoes", work)
    typer.echo("  id  role          status   email                            name")
    for row in rows:
        typer.echo(row)
