"""`carinho agents create|list`: the contact center's agents (atendentes)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from carinho.atendimento.agents.roles import Role, SupportLevel
from carinho.cli.common import run_in_context

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

app = typer.Typer(help="Manage atendimento's agents (atendentes, supervisores, administradores).")


@app.command("create")
def create(
    name: Annotated[str, typer.Argument(help="Full name.")],
    email: Annotated[str, typer.Argument(help="Login e-mail.")],
    role: Annotated[Role, typer.Option(help="agent, supervisor or admin.")] = Role.agent,
    level: Annotated[SupportLevel, typer.Option(help="Support level: N1, N2 or N3.")] = SupportLevel.n1,
    capacity: Annotated[int, typer.Option(help="Maximum open conversations.")] = 10,
) -> None:
    """Create an agent. The initial password is printed once, as the last line of output."""

    from carinho.atendimento.agents.service import agent_service
    from carinho.atendimento.history.actor import Actor

    async def work(session: AsyncSession) -> tuple[int, str]:
        agent, password = await agent_service.create(
            session, name=name, email=email, role=role, level=level, capacity=capacity, actor=Actor.cli()
        )
        return agent.id, password

    agent_id, password = run_in_context("atendimento", work)
    typer.echo(
        f"Created agent #{agent_id} {email} ({role.label}, {level.value}). Initial password (shown only now):"
    )
    typer.echo(password)


@app.command("list")
def list_agents() -> None:
    """List agents (never their passwords)."""
    from carinho.atendimento.agents.service import agent_service

    async def work(session: AsyncSession) -> list[str]:
        return [
            f"{a.id:>4}  {a.level:<3} {Role(a.role).label:<13} {'ativo  ' if a.active else 'inativo'}  "
            f"{a.capacity:>3}  {a.email:<32} {a.name}"
            for a in await agent_service.list(session)
        ]

    rows = run_in_context("atendimento", work)
    typer.echo("  id  lvl role          status   cap  email                            name")
    for row in rows:
        typer.echo(row)
