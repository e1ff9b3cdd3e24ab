"""`carinho up | serve | worker | scheduler`: the platform's processes."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import threading
from typing import TYPE_CHECKING, Annotated

import typer

from carinho.cli.common import settings_for_cli

if TYPE_CHECKING:
    from carinho.config import Settings

APPS = {
    "integracoes": "carinho.integracoes.app:create_app",
    "atendimento": "carinho.atendimento.app:create_app",
    "sandbox": "carinho.sandbox.app:create_app",
}


def register(app: typer.Typer) -> None:
    @app.command()
    def up() -> None:
        """Run the whole platform on the embedded default: hub :8000, atendimento :8001,
        sandbox :8099, workers and scheduler, SQLite under CARINHO_DATA_DIR — one process per system
        (EMBEDDED_PROCESSES=per_system, the default) or all in one (EMBEDDED_PROCESSES=single)."""
        from carinho.bootstrap import first_start

        settings, credentials = first_start(settings_for_cli())
        # per_system needs POSIX pipes (pass_fds, select on a pipe): on Windows all runs in one process.
        if settings.embedded_processes == "single" or os.name == "nt":
            from carinho.embedded import run_platform

            asyncio.run(run_platform(settings, credentials))
            return
        from carinho.embedded_processes import run_platform_processes

        raise typer.Exit(run_platform_processes(settings, credentials))

    @app.command()
    def serve(
        service: Annotated[str, typer.Argument(help="integracoes, atendimento or sandbox.")],
        host: Annotated[str | None, typer.Option(help="Bind address.")] = None,
        port: Annotated[int | None, typer.Option(help="Port (default from settings).")] = None,
        workers: Annotated[int, typer.Option(help="Uvicorn worker processes.")] = 1,
        healthcheck_timeout: Annotated[
            int | None,
            typer.Option(
                help="Seconds a worker process may take to answer uvicorn's health check "
                "(default: SERVE_HEALTHCHECK_TIMEOUT_SECONDS)."
            ),
        ] = None,
    ) -> None:
        """Serve one app (production profile: point *_DATABASE_URL and REDIS_URL at servers)."""
        import uvicorn

        if service not in APPS:
            raise typer.BadParameter(f"choose one of: {', '.join(APPS)}")
        settings = settings_for_cli()
        default_port = getattr(settings, f"{service}_port")
        uvicorn.run(
            APPS[service],
            factory=True,
            host=host or settings.bind_host,
            port=port or default_port,
            workers=workers,
            log_config=None,
            access_log=False,  # uvicorn.access is silenced anyway (carinho.logging)
            proxy_headers=True,
            timeout_worker_healthcheck=healthcheck_timeout or settings.serve_healthcheck_timeout_seconds,
        )

    @app.command()
    def worker(
        lanes: Annotated[str | None, typer.Option(help="Comma-separated lanes (default: all lanes).")] = None,
        processes: Annotated[int, typer.Option(help="Worker processes.")] = 1,
        threads: Annotated[
            int | None, typer.Option(help="Threads per lane (default: LANE_CONCURRENCY).")
        ] = None,
    ) -> None:
        """Consume jobs from the given lanes (needs REDIS_URL: the embedded broker lives in `up`)."""
        from carinho.worker.lanes import parse_lanes

        try:
            chosen = parse_lanes(lanes)
        except ValueError as exc:
            raise typer.BadParameter(str(exc)) from None
        settings = settings_for_cli()
        if settings.embedded:
            typer.secho(
                "REDIS_URL is not set: the embedded broker lives inside `carinho up`.",
                err=True,
                fg=typer.colors.RED,
            )
            raise typer.Exit(2)
        if processes > 1:
            raise typer.Exit(_supervise_children(settings, processes, lanes, threads))
        _run_worker(settings, chosen, threads)

    @app.command()
    def scheduler() -> None:
        """Run the scheduler: the outbox relay, heartbeats and periodic jobs (one leader)."""
        from carinho import runtime
        from carinho.worker.scheduler import Scheduler

        settings = settings_for_cli()

        async def main() -> None:
            rt = runtime.configure(settings)
            sched = Scheduler(rt)
            loop = asyncio.get_running_loop()
            for sig in (signal.SIGINT, signal.SIGTERM):
                loop.add_signal_handler(sig, lambda: asyncio.ensure_future(sched.stop()))
            await sched.run_forever()

        asyncio.run(main())


def _run_worker(settings: object, lanes: list, threads: int | None) -> None:
    from carinho import runtime
    from carinho.worker.pool import WorkerPool

    rt = runtime.configure(settings)  # type: ignore[arg-type]
    pool = WorkerPool(rt, lanes, threads)
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    pool.start()
    typer.echo(f"worker {os.getpid()} consuming: {', '.join(lane.value for lane in lanes)}")
    stop.wait()
    pool.stop()


def _supervise_children(settings: Settings, count: int, lanes: str | None, threads: int | None) -> int:
    from carinho.worker.supervisor import ChildSupervisor

    args = [sys.executable, "-m", "carinho", "worker", "--processes", "1"]
    if lanes:
        args += ["--lanes", lanes]
    if threads:
        args += ["--threads", str(threads)]
    supervisor = ChildSupervisor(
        count,
        lambda _slot: subprocess.Popen(args),  # noqa: S603
        max_deaths=settings.worker_restart_max_deaths,
        window_seconds=settings.worker_restart_window_seconds,
    )
    supervisor.install_signal_handlers()
    return supervisor.run()
