"""The embedded default: hub, atendimento and sandbox servers, workers and scheduler.

`run_platform` runs them all in one process (EMBEDDED_PROCESSES=single); `embedded_processes` runs one
process per system (the default), each built from the pieces here (`embedded_system`)."""

from __future__ import annotations

import asyncio
import contextlib
import signal
from collections.abc import Iterator

import uvicorn

from carinho import runtime
from carinho.bootstrap import Credentials, ensure_first_credentials, ensure_local_hub_key, with_local_hub
from carinho.config import Settings
from carinho.logging import get_logger
from carinho.sandbox.defaults import (
    SYSTEM_LABELS,
    serves_connectors,
    simulated_systems,
    with_sandbox_defaults,
)
from carinho.worker.lanes import Lane
from carinho.worker.pool import WorkerPool
from carinho.worker.relay import release_all
from carinho.worker.scheduler import Scheduler

log = get_logger(__name__)


class _Server(uvicorn.Server):
    """Several servers share one loop, so the platform, not each server, handles signals."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


def _server(app: object, port: int, settings: Settings) -> _Server:
    return _Server(
        uvicorn.Config(
            app,  # type: ignore[arg-type]
            host=settings.bind_host,
            port=port,
            log_config=None,
            access_log=False,  # uvicorn.access is silenced anyway (carinho.logging)
            lifespan="on",
            timeout_graceful_shutdown=10,
        )
    )


def platform_settings(settings: Settings) -> tuple[Settings, dict[str, str]]:
    """Connectors whose real systems are not configured talk to the sandbox; atendimento reaches the
    hub beside it. (The settings, the sandbox credentials created now.) Idempotent: a second call, in
    another process of the same start, reads what the first one stored."""
    settings, sandbox_credentials = with_sandbox_defaults(settings, local_atendimento=True)
    return with_local_hub(settings), sandbox_credentials


async def start_serving(servers: list[_Server]) -> list[asyncio.Task[None]]:
    """Start the servers; return once all listen, or once one of them has ended (it could not)."""
    tasks = [asyncio.create_task(s.serve()) for s in servers]
    while not all(s.started for s in servers):
        if any(task.done() for task in tasks):
            break
        await asyncio.sleep(0.05)
    return tasks


def platform_systems(settings: Settings) -> list[str]:
    """The systems `carinho up` serves: the hub, atendimento, and the sandbox when a connector
    points at it."""
    return ["integracoes", "atendimento"] + (["sandbox"] if serves_connectors(settings) else [])


def system_server(system: str, settings: Settings, rt: runtime.Runtime | None) -> _Server:
    """One system's server on its port (the sandbox needs no runtime)."""
    app: object
    if system == "integracoes":
        from carinho.integracoes.app import create_app as integracoes_app

        app = integracoes_app(rt)
    elif system == "atendimento":
        from carinho.atendimento.app import create_app as atendimento_app

        app = atendimento_app(rt)
    else:
        from carinho.sandbox.app import create_app as sandbox_app

        app = sandbox_app(settings)
    return _server(app, int(getattr(settings, f"{system}_port")), settings)


async def stop_work(scheduler: Scheduler | None, pool: WorkerPool | None) -> None:
    """The scheduler and the workers stop; jobs in flight finish first, while the servers they call
    (atendimento, the hub, the sandbox's systems) still answer; anything cut short is released again
    at the next start."""
    if scheduler is not None:
        await scheduler.stop()
    if pool is not None:
        await asyncio.to_thread(pool.stop)


async def run_platform(
    settings: Settings, credentials: Credentials, ready: asyncio.Event | None = None
) -> None:
    # Connectors whose real systems are not configured talk to the sandbox served below.
    settings, sandbox_credentials = platform_settings(settings)
    credentials.secrets.update(sandbox_credentials)
    rt = runtime.configure(settings)
    for context in runtime.CONTEXTS:
        await release_all(rt, context)
    await ensure_first_credentials(rt, credentials)
    await ensure_local_hub_key(rt)

    pool = WorkerPool(rt, list(Lane))
    pool.start()
    scheduler = Scheduler(rt)
    await scheduler.start()
    servers = [system_server(system, settings, rt) for system in platform_systems(settings)]

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, stop.set)

    tasks = await start_serving(servers)
    print(announcement(settings, credentials), flush=True)
    if ready is not None:
        ready.set()

    stopper = asyncio.create_task(stop.wait())
    await asyncio.wait([stopper, *tasks], return_when=asyncio.FIRST_COMPLETED)
    log.info("platform.stopping")
    await stop_work(scheduler, pool)
    for each in servers:
        each.should_exit = True
    await asyncio.gather(*tasks, return_exceptions=True)
    for db in rt.databases.values():
        await db.dispose()
    log.info("platform.stopped")


def announcement(settings: Settings, credentials: Credentials) -> str:
    """What `carinho up` prints once its servers listen: where things are, what the sandbox
    simulates, and what this start created."""
    host = settings.bind_host
    simulated = simulated_systems(settings)
    sandbox_note = "   (not served)"
    if simulated:
        sandbox_note = f"   (SMTP :{settings.sandbox_smtp_port})" if "mail" in simulated else ""
    lines = [
        "",
        "Carinho platform is up (embedded default)",
        f"  integracoes  http://{host}:{settings.integracoes_port}   (API docs: /docs)",
        f"  atendimento  http://{host}:{settings.atendimento_port}",
        f"  sandbox      http://{host}:{settings.sandbox_port}{sandbox_note}",
        f"  data         {settings.carinho_data_dir.resolve()}",
    ]
    if simulated:
        lines += [
            "  simulated    " + ", ".join(SYSTEM_LABELS[name] for name in simulated),
            "               (the sandbox stands in for them: set their variables to use the real ones)",
        ]
    else:
        lines.append("  simulated    nothing: every system is configured")
    created = credentials.lines()
    if created:
        lines += ["", "Created on this start (shown only once, keep them safe):"]
        lines += [f"  {line}" for line in created]
    lines.append("Press Ctrl-C to stop.")
    return "\n".join(lines)
