"""Real processes for crash tests: spawn `carinho` commands, wait on conditions, kill -9."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


# Ports handed to processes the tests start, which bind them a moment later. They come from below
# the kernel's ephemeral range (32768-60999 on Linux), so no outgoing connection (to a database,
# Redis, ...) takes one in between, and each pytest-xdist worker has a block of its own, so parallel
# workers never hand out the same port.
PORT_BLOCK = 1000
FIRST_PORT = 20000
PORT_BLOCKS = 12


def _worker_index() -> int:
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")  # gw0, gw1, ... (unset when not parallel)
    return int(worker[2:]) + 1 if worker.startswith("gw") and worker[2:].isdigit() else 0


_next_port = FIRST_PORT + (_worker_index() % PORT_BLOCKS) * PORT_BLOCK + os.getpid() % (PORT_BLOCK // 2)


def free_port() -> int:
    """A port of this worker's block that nothing listens on now (and that no other call of this
    process returned: the ports are taken in turn)."""
    global _next_port
    block_start = FIRST_PORT + (_worker_index() % PORT_BLOCKS) * PORT_BLOCK
    for _ in range(PORT_BLOCK):
        port = _next_port
        _next_port = block_start + (_next_port + 1 - block_start) % PORT_BLOCK
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError(f"no free port in {block_start}-{block_start + PORT_BLOCK - 1}")


def carinho_env(**values: object) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "COV_"))}
    env.update({k.upper(): str(v) for k, v in values.items()})
    env["PYTHONPATH"] = str(ROOT)
    return env


def spawn(args: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    handle = log.open("ab")
    return subprocess.Popen(
        [sys.executable, "-m", "carinho", *args], cwd=ROOT, env=env, stdout=handle, stderr=subprocess.STDOUT
    )


def kill9(process: subprocess.Popen[bytes]) -> None:
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=10)


def stop(process: subprocess.Popen[bytes], timeout: float = 30) -> int:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            return process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
            raise
    return process.returncode


@contextmanager
def running(args: list[str], env: dict[str, str], log: Path) -> Iterator[subprocess.Popen[bytes]]:
    process = spawn(args, env, log)
    try:
        yield process
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


async def wait_until(
    condition: Callable[[], Awaitable[bool]],
    *,
    timeout: float = 60,
    what: str = "condition",
    between: Callable[[], Awaitable[object]] | None = None,
    log: Path | None = None,
) -> None:
    """Poll `condition` until it holds; fail with the process log if it never does."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if await condition():
            return
        if between is not None:
            await between()
        await asyncio.sleep(0.1)
    tail = log.read_text(errors="replace")[-3000:] if log and log.exists() else ""
    raise AssertionError(f"timed out after {timeout}s waiting for {what}\n{tail}")


def children_of(pid: int) -> set[int]:
    """The live child processes of `pid` (Linux: /proc/<pid>/task/*/children)."""
    found: set[int] = set()
    for children in Path(f"/proc/{pid}/task").glob("*/children"):
        try:
            found.update(int(child) for child in children.read_text().split())
        except (FileNotFoundError, ProcessLookupError):
            continue
    return found
