"""`carinho privacy export|erase|run`: LGPD data-subject requests and the retention run, from the
command line (same services, same audit trail as the API; the requester is recorded as "cli")."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from carinho.cli.common import run_in_context, settings_for_cli
from carinho.errors import CarinhoError

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

app = typer.Typer(help="LGPD: export or erase a person's data, and run the retention policy now.")

Phone = Annotated[str | None, typer.Option(help="The person's phone, e.g. '(11) 91234-5678'.")]
Email = Annotated[str | None, typer.Option(help="The person's e-mail.")]


@app.command("export")
def export(
    phone: Phone = None,
    email: Email = None,
    out: Annotated[Path | None, typer.Option(help="Write the JSON here (default: standard output).")] = None,
    reason: Annotated[
        str, typer.Option(help="Why and by whom it was asked.")
    ] = "Solicitação do titular (CLI)",
) -> None:
    """Export everything held about a person (by phone or e-mail) as JSON."""
    from carinho.atendimento.retention.data_requests import CLI_ACTOR, data_request_service

    async def work(session: AsyncSession) -> tuple[int, str, dict[str, object]]:
        request = await data_request_service.export(
            session, CLI_ACTOR, phone=phone, email=email, reason=reason
        )
        return request.id, request.status, request.export_data or {}

    request_id, status, data = run_in_context("atendimento", work)
    text = json.dumps(data, ensure_ascii=False, indent=2)
    if out is None:
        typer.echo(text)
        return
    out.write_text(text + "\n", encoding="utf-8")
    out.chmod(0o600)  # personal data: readable by the owner only
    typer.echo(f"Export request #{request_id} ({status}) written to {out}", err=True)


@app.command("erase")
def erase(
    reason: Annotated[str, typer.Option(help="Why and by whom it was asked (recorded).")],
    phone: Phone = None,
    email: Email = None,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")] = False,
) -> None:
    """Erase a person's data now (irreversible), except what a legal exception keeps."""
    from carinho.atendimento.retention.data_requests import CLI_ACTOR, data_request_service

    if not yes:
        typer.confirm(f"Erase the personal data of {phone or email}? This cannot be undone", abort=True)

    async def work(session: AsyncSession) -> tuple[int, str, dict[str, object]]:
        request = await data_request_service.erase(
            session, CLI_ACTOR, phone=phone, email=email, reason=reason
        )
        return request.id, request.status, request.result

    request_id, status, result = run_in_context("atendimento", work)
    typer.echo(f"Erase request #{request_id}: {status}")
    typer.echo(json.dumps(result, ensure_ascii=False, indent=2))


@app.command("run")
def run(
    batch_size: Annotated[
        int | None, typer.Option(min=1, max=10_000, help="Rows per transaction (default: the policy's).")
    ] = None,
) -> None:
    """Run the retention policy now, to the end, one short transaction per batch (resumes a run
    left unfinished)."""
    from carinho import runtime
    from carinho.atendimento.retention.service import DEFAULT_BATCH_SIZE, retention_service

    batch_size = batch_size or DEFAULT_BATCH_SIZE
    settings = settings_for_cli()

    async def main() -> dict[str, object]:
        rt = runtime.configure(settings)
        db = rt.db("atendimento")
        try:
            async with db.session() as session:
                run = await retention_service.start_run(session, trigger="cli", batch_size=batch_size)
                run_id = run.id
                await session.commit()
            while True:
                async with db.session() as session:
                    more = await retention_service.advance(session, run_id)
                    await session.commit()
                if more is None:
                    break
            async with db.session() as session:
                finished = await retention_service.run(session, run_id)
                return {"run_id": run_id, "counts": finished.counts, "sources": finished.sources}
        finally:
            await db.dispose()

    try:
        summary = asyncio.run(main())
    except CarinhoError as exc:
        typer.secho(f"error: {exc.message}", err=True, fg=typer.colors.RED)
        raise typer.Exit(1) from None
    typer.echo(json.dumps(summary, ensure_ascii=False, indent=2))
