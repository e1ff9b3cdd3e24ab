"""`carinho worker --processes N`: the parent that keeps N worker processes alive.

It reaps every child that dies, logs it, and starts another after a backoff. A child that keeps
dying (`max_deaths` deaths within `window_seconds`, counted over all children) means something is
wrong that a restart here will not fix (the database or Redis is gone, a bad release): the parent
stops the others and exits non-zero, so its own supervisor (systemd, supervisord, compose) sees it.
SIGTERM/SIGINT stop every child cleanly and the parent exits 0.

`carinho up` (one process per system) supervises its system processes with it too: each slot has a
name, `role` names the log events, and `stop_children` replaces the plain SIGTERM-and-wait stop (the
platform stops every system's workers before any server).
"""

from __future__ import annotations

import signal
import subprocess
import threading
import time
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from carinho.logging import get_logger

log = get_logger(__name__)

EXIT_CHILDREN_FAILING = 3
POLL_SECONDS = 0.5


@dataclass
class _Slot:
    index: int
    process: subprocess.Popen[bytes] | None = None
    restart_at: float | None = None  # monotonic time of the next start, while waiting to restart
    deaths: deque[float] = field(default_factory=deque)  # this slot's recent deaths (for its backoff)


class ChildSupervisor:
    def __init__(
        self,
        count: int,
        start_child: Callable[[int], subprocess.Popen[bytes]],
        *,
        max_deaths: int = 5,
        window_seconds: float = 60.0,
        backoff_seconds: float = 1.0,
        max_backoff_seconds: float = 30.0,
        stop_timeout_seconds: float = 60.0,
        role: str = "worker",
        names: Sequence[str] | None = None,
        stop_children: Callable[[list[tuple[int, subprocess.Popen[bytes]]]], None] | None = None,
    ) -> None:
        """`start_child(slot)` starts the process of slot `slot` (0 .. count-1)."""
        self.slots = [_Slot(i) for i in range(count)]
        self.start_child = start_child
        self.max_deaths = max_deaths
        self.window_seconds = window_seconds
        self.backoff_seconds = backoff_seconds
        self.max_backoff_seconds = max_backoff_seconds
        self.stop_timeout_seconds = stop_timeout_seconds
        self.role = role
        self.names: list[str | int] = list(names) if names is not None else list(range(count))
        self.stop_children = stop_children
        self.stopping = threading.Event()
        self._deaths: deque[float] = deque()

    def install_signal_handlers(self) -> None:
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, lambda *_: self.stopping.set())

    def run(self) -> int:
        """Supervise until told to stop (0) or until the children keep dying (non-zero)."""
        self.start_all()
        return self.supervise()

    def start_all(self) -> None:
        for slot in self.slots:
            self._start(slot)

    def supervise(self) -> int:
        """After `start_all`: reap and restart until told to stop (0) or until the children keep
        dying (non-zero); every child is stopped on return."""
        code = 0
        while not self.stopping.wait(POLL_SECONDS):
            if not self._tick(time.monotonic()):
                code = EXIT_CHILDREN_FAILING
                break
        self._stop_all()
        return code

    def _tick(self, now: float) -> bool:
        """Reap the dead, restart those whose backoff is over; False when they die too often."""
        for slot in self.slots:
            if slot.process is not None and (returncode := slot.process.poll()) is not None:
                self._note_death(slot, returncode, now)
        while self._deaths and now - self._deaths[0] > self.window_seconds:
            self._deaths.popleft()
        if len(self._deaths) >= self.max_deaths:
            log.error(
                f"{self.role}.children_failing",
                deaths=len(self._deaths),
                window_seconds=self.window_seconds,
                detail=f"{self.role} processes keep dying; stopping so that the service manager restarts us",
            )
            return False
        for slot in self.slots:
            if slot.process is None and slot.restart_at is not None and now >= slot.restart_at:
                self._start(slot)
        return True

    def _note_death(self, slot: _Slot, returncode: int, now: float) -> None:
        assert slot.process is not None
        pid = slot.process.pid
        slot.process = None
        self._deaths.append(now)
        slot.deaths.append(now)
        while slot.deaths and now - slot.deaths[0] > self.window_seconds:
            slot.deaths.popleft()
        delay = min(self.backoff_seconds * 2 ** (len(slot.deaths) - 1), self.max_backoff_seconds)
        slot.restart_at = now + delay
        log.warning(
            f"{self.role}.child_died",
            pid=pid,
            slot=self.names[slot.index],
            returncode=returncode,
            signal=signal.Signals(-returncode).name if returncode < 0 else None,
            restart_in_seconds=round(delay, 1),
        )

    def _start(self, slot: _Slot) -> None:
        restarted = slot.restart_at is not None
        slot.process = self.start_child(slot.index)
        slot.restart_at = None
        log.info(
            f"{self.role}.child_restarted" if restarted else f"{self.role}.child_started",
            pid=slot.process.pid,
            slot=self.names[slot.index],
        )

    def _stop_all(self) -> None:
        if self.stop_children is not None:
            running = [(s.index, s.process) for s in self.slots if s.process is not None]
            self.stop_children([(i, p) for i, p in running if p.poll() is None])
            for slot in self.slots:
                slot.process = None
            return
        alive = [s.process for s in self.slots if s.process is not None and s.process.poll() is None]
        for process in alive:
            process.send_signal(signal.SIGTERM)
        wait_or_kill(alive, time.monotonic() + self.stop_timeout_seconds, f"{self.role}.child_killed")
        for slot in self.slots:
            slot.process = None


def wait_or_kill(processes: Sequence[subprocess.Popen[bytes]], deadline: float, event: str) -> None:
    """Wait for each process to end until `deadline` (time.monotonic()); kill, and log `event`
    for, any still running then."""
    for process in processes:
        try:
            process.wait(timeout=max(0.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            log.warning(event, pid=process.pid, detail="did not stop in time")
            process.kill()
            process.wait()
