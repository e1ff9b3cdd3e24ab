"""`carinho up` with one process per system (EMBEDDED_PROCESSES=per_system, the default).

One process, one GIL: the platform in one process uses at most one core. Here the parent does what
happens once per start — secrets and migrations (`bootstrap.first_start`, before this), the sandbox
credentials and the hub key of atendimento, the first accounts — then starts a process per system
(`embedded_system`: the hub, atendimento, the sandbox when some connector points at it), waits until
each one listens, and prints the announcement once. Every process writes to the same stdout/stderr.

The parent supervises them with `ChildSupervisor`: a system process that dies is logged and started
again after a backoff (its context's jobs cut short are released by the new process, the only one
that runs them); one that keeps dying stops the platform with exit status 3. SIGTERM/SIGINT stop all in
two steps — every system's workers and scheduler first (jobs in flight finish while every server still
answers: the hub's jobs call atendimento and the sandbox, atendimento's call the hub), then the
servers. If the parent is killed (kill -9), the kernel kills the children (see `embedded_system`).
"""

from __future__ import annotations

import asyncio
import os
import select
import subprocess
import sys
import threading
import time

from carinho import runtime
from carinho.bootstrap import Credentials, ensure_first_credentials, ensure_local_hub_key
from carinho.config import Settings
from carinho.embedded import announcement, platform_settings, platform_systems
from carinho.embedded_system import CLOCK_FILE
from carinho.kit import clock
from carinho.logging import get_logger
from carinho.worker.supervisor import ChildSupervisor, wait_or_kill

log = get_logger(__name__)

EXIT_START_FAILED = 1
START_TIMEOUT_SECONDS = 300.0  # a system's imports and first queries, on a slow, busy machine
# Workers finish their jobs (WorkerPool.stop: 30 s), then the servers theirs (10 s graceful).
DRAIN_TIMEOUT_SECONDS = 40.0
STOP_TIMEOUT_SECONDS = 20.0
_SLICE_SECONDS = 0.5  # how often a wait on a child's pipe looks whether it was told to stop


class SystemProcesses:
    """The system processes of one start: how each is started, and its status pipe."""

    def __init__(self, systems: list[str]) -> None:
        self.systems = systems
        self._status: dict[int, int] = {}  # slot -> read end of the current process's status pipe
        self._pending: dict[int, bytes] = {}

    def start(self, slot: int) -> subprocess.Popen[bytes]:
        self._close(slot)
        read_end, write_end = os.pipe()
        try:
            process = subprocess.Popen(  # noqa: S603 - our own interpreter and module
                [
                    sys.executable,
                    "-m",
                    "carinho.embedded_system",
                    self.systems[slot],
                    str(write_end),
                    str(os.getpid()),
                ],
                stdin=subprocess.PIPE,
                pass_fds=(write_end,),
            )
        finally:
            os.close(write_end)  # the child's only: its end of file says the child is gone
        self._status[slot] = read_end
        return process

    def wait_for(self, slot: int, line: str, deadline: float, give_up: threading.Event | None = None) -> bool:
        """Whether `slot`'s process said `line` before `deadline` (False: it ended first, or time ran
        out, or `give_up` — a threading.Event — was set)."""
        fd = self._status.get(slot)
        if fd is None:
            return False
        while True:
            buffered = self._pending.get(slot, b"")
            if b"\n" in buffered:
                first, _, rest = buffered.partition(b"\n")
                self._pending[slot] = rest
                if first.decode(errors="replace").strip() == line:
                    return True
                continue
            left = deadline - time.monotonic()
            if left <= 0 or (give_up is not None and give_up.is_set()):
                return False
            readable, _, _ = select.select([fd], [], [], min(left, _SLICE_SECONDS))
            if readable:
                chunk = os.read(fd, 4096)
                if not chunk:
                    return False
                self._pending[slot] = buffered + chunk

    def stop(self, alive: list[tuple[int, subprocess.Popen[bytes]]]) -> None:
        """Every system's workers and scheduler stop first, then the servers."""
        log.info("platform.stopping")
        for _, process in alive:
            _tell(process, b"drain\n")
        deadline = time.monotonic() + DRAIN_TIMEOUT_SECONDS
        for slot, _ in alive:
            if not self.wait_for(slot, "drained", deadline):
                log.warning("platform.drain_not_confirmed", system=self.systems[slot])
        for _, process in alive:
            _tell(process, b"stop\n", close=True)
        wait_or_kill([p for _, p in alive], time.monotonic() + STOP_TIMEOUT_SECONDS, "platform.child_killed")
        for slot in list(self._status):
            self._close(slot)

    def _close(self, slot: int) -> None:
        fd = self._status.pop(slot, None)
        self._pending.pop(slot, None)
        if fd is not None:
            os.close(fd)


def _tell(process: subprocess.Popen[bytes], line: bytes, *, close: bool = False) -> None:
    if process.stdin is None:
        return
    try:
        process.stdin.write(line)
        process.stdin.flush()
        if close:
            process.stdin.close()
    except (BrokenPipeError, ValueError):  # it is gone already, or its stdin was closed
        pass


async def _first_records(settings: Settings, credentials: Credentials) -> None:
    """The first accounts and the hub key of atendimento, once, before any system starts."""
    rt = runtime.configure(settings)
    try:
        await ensure_first_credentials(rt, credentials)
        await ensure_local_hub_key(rt)
    finally:
        for db in rt.databases.values():
            await db.dispose()


def run_platform_processes(settings: Settings, credentials: Credentials) -> int:
    """`carinho up`'s parent; the exit status."""
    settings, sandbox_credentials = platform_settings(settings)
    credentials.secrets.update(sandbox_credentials)
    asyncio.run(_first_records(settings, credentials))
    clock.share(settings.carinho_data_dir / CLOCK_FILE, reset=True)  # a start begins at the real time
    systems = platform_systems(settings)
    processes = SystemProcesses(systems)
    supervisor = ChildSupervisor(
        len(systems),
        processes.start,
        max_deaths=settings.worker_restart_max_deaths,
        window_seconds=settings.worker_restart_window_seconds,
        role="platform",
        names=systems,
        stop_children=processes.stop,
    )
    supervisor.install_signal_handlers()
    supervisor.start_all()
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    for slot, system in enumerate(systems):
        if not processes.wait_for(slot, "ready", deadline, give_up=supervisor.stopping):
            if supervisor.stopping.is_set():  # told to stop while starting
                supervisor.supervise()
                return 0
            log.error(
                "platform.start_failed",
                system=system,
                detail=f"the {system} process did not start (see the lines above); stopping the others",
            )
            supervisor.stopping.set()
            supervisor.supervise()  # stops the others
            return EXIT_START_FAILED
    print(announcement(settings, credentials), flush=True)
    code = supervisor.supervise()
    log.info("platform.stopped", exit_status=code)
    return code
