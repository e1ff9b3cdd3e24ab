"""One system of `carinho up` in a process of its own (EMBEDDED_PROCESSES=per_system).

    python -m carinho.embedded_system <integracoes|atendimento|sandbox> <status fd> <parent pid>

Started by `embedded_processes` (the parent), never by hand. The hub's and atendimento's processes
each run their server, the workers of their context's lanes (the embedded broker is in-process: the
process that relays a context's outbox runs its jobs) and a scheduler for their context; the sandbox's
runs its server (and SMTP sink). A lane is not one context's: `notifications` carries jobs of both, so
each process consumes it, for its own context's rows (`worker.jobs.context_lanes`). The parent talks
to it over two pipes:

- status (the fd given): the child writes `ready` once its server listens, `drained` once its
  workers and scheduler have stopped;
- control (stdin): the parent writes `drain` (stop the workers and the scheduler, jobs in flight
  finish, the server still answers), then `stop` (stop the server, exit). End of file — the parent is
  gone — means both. SIGTERM to the child means both too; SIGINT is ignored (Ctrl-C in a terminal
  reaches the whole process group: the parent orders the stop).

The child dies with the parent: on Linux the kernel kills it (PR_SET_PDEATHSIG) when the parent dies,
even by kill -9, so no orphan keeps a port.
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import os
import signal
import sys
import threading
from typing import IO, Any

from carinho import runtime
from carinho.config import Settings, get_settings
from carinho.embedded import platform_settings, start_serving, stop_work, system_server
from carinho.kit import clock
from carinho.logging import configure_logging, get_logger
from carinho.worker.jobs import context_lanes
from carinho.worker.pool import WorkerPool
from carinho.worker.relay import release_all
from carinho.worker.scheduler import Scheduler

log = get_logger(__name__)

SYSTEMS = ("integracoes", "atendimento", "sandbox")
CLOCK_FILE = "clock.offset"
_PR_SET_PDEATHSIG = 1


def die_with_parent(parent_pid: int) -> None:
    """Have the kernel kill this process when its parent dies (Linux); if the parent is already gone
    (it died before we got here), exit now."""
    if sys.platform.startswith("linux"):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent_pid:
        os._exit(1)


def _control_lines(loop: asyncio.AbstractEventLoop, queue: asyncio.Queue[str]) -> None:
    """Stdin's lines into `queue` (a thread: a blocking read), then "eof"."""
    for raw in sys.stdin.buffer:
        loop.call_soon_threadsafe(queue.put_nowait, raw.decode(errors="replace").strip())
    loop.call_soon_threadsafe(queue.put_nowait, "eof")


async def run_system(settings: Settings, system: str, status: IO[str]) -> int:
    loop = asyncio.get_running_loop()
    control: asyncio.Queue[str] = asyncio.Queue()
    loop.add_signal_handler(signal.SIGTERM, control.put_nowait, "eof")
    threading.Thread(target=_control_lines, args=(loop, control), daemon=True, name="control").start()

    rt = pool = scheduler = None
    if system != "sandbox":
        rt = runtime.configure(settings)
        # Nothing survives in the in-memory broker of the process this one replaces: all is due again.
        await release_all(rt, system)
        # The in-memory broker reaches no other process: this one consumes every lane its jobs name.
        pool = WorkerPool(rt, context_lanes(system), contexts=(system,))
        pool.start()
        scheduler = Scheduler(rt, contexts=(system,))
        await scheduler.start()
    servers = [system_server(system, settings, rt)]

    tasks = await start_serving(servers)
    if all(s.started for s in servers):
        status.write("ready\n")
        status.flush()
    serving: asyncio.Future[Any] = asyncio.gather(*tasks, return_exceptions=True)
    drained = False
    while True:
        order: asyncio.Future[Any] = asyncio.ensure_future(control.get())
        await asyncio.wait([order, serving], return_when=asyncio.FIRST_COMPLETED)
        if not order.done():  # the server ended on its own (it could not listen): stop
            order.cancel()
            log.error("platform.system_server_ended", system=system)
            break
        if order.result() == "drain" and not drained:
            await stop_work(scheduler, pool)
            drained = True
            with contextlib.suppress(OSError):
                status.write("drained\n")
                status.flush()
        elif order.result() in ("stop", "eof"):
            break
    if not drained:
        await stop_work(scheduler, pool)
    for each in servers:
        each.should_exit = True
    await serving
    if rt is not None:
        for db in rt.databases.values():
            await db.dispose()
    return 0 if all(s.started for s in servers) else 1


def main(argv: list[str]) -> int:
    system, status_fd, parent_pid = argv[0], int(argv[1]), int(argv[2])
    die_with_parent(parent_pid)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if system not in SYSTEMS:
        raise SystemExit(f"unknown system {system!r}: one of {', '.join(SYSTEMS)}")
    # The parent validated the same settings (same environment, same files) before starting us.
    base = get_settings()
    configure_logging(base.carinho_log_level, settings=base)
    settings, _ = platform_settings(base)
    clock.share(settings.carinho_data_dir / CLOCK_FILE)
    with os.fdopen(status_fd, "w", encoding="utf-8") as status:
        return asyncio.run(run_system(settings, system, status))


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
