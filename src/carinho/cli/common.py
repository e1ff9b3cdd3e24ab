from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TypeVar

import typer
from pydantic import ValidationError

from carinho.config import Settings, get_settings
from carinho.errors import CarinhoError
from carinho.logging import configure_logging
from carinho.settings_check import SettingsProblems, explain

T = TypeVar("T")


def settings_for_cli() -> Settings:
    """The settings, or a plain explanation of what to set and exit 2 (never a traceback)."""
    try:
        settings = get_settings()
    except (ValidationError, SettingsProblems) as error:
        typer.secho(explain(error), err=True, fg=typer.colors.RED)
        raise typer.Exit(2) from None
    configure_logging(settings.carinho_log_level, settings=settings)
    return settings


def run_in_context(context: str, work: Callable[..., Awaitable[T]]) -> T:
    """Run `work(session)` in one transaction of a context's database and commit it."""
    from carinho import runtime

    settings = settings_for_cli()

    async def main() -> T:
        rt = runtime.configure(settings)
        try:
            async with rt.db(context).session() as session:
                result = await work(session)
                await session.commit()
                return result
        finally:
            await rt.db(context).dispose()

    try:
        return asyncio.run(main())
    except CarinhoError as exc:
        typer.secho(f"error: {exc.message}", err=True, fg=typer.colors.RED)
        raise typer.Exit(1) from None
