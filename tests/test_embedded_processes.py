"""`carinho up` with one process per system (EMBEDDED_PROCESSES=per_system, the default) and in one
process (`single`): real processes, real ports, real signals."""

from __future__ import annotations

import os
import signal
from pathlib import Path

import httpx
import pytest

from tests.support.processes import carinho_env, children_of, free_port, kill9, running, stop, wait_until

pytestmark = pytest.mark.slow

START_TIMEOUT = 240  # three interpreters importing the platform on a small, busy machine
GRACEFUL_BOUND = 90  # workers' 30 s, then the servers' 10 s, with room for a busy machine
SYSTEMS = ("integracoes", "atendimento", "sandbox")
PHONE = "5511987650001"


def _env(tmp_path: Path, **extra: object) -> tuple[dict[str, str], dict[str, int]]:
    ports = {
        "integracoes": free_port(),
        "atendimento": free_port(),
        "sandbox": free_port(),
    }
    env = carinho_env(
        carinho_data_dir=tmp_path / "data",
        carinho_env="development",
        integracoes_port=ports["integracoes"],
        atendimento_port=ports["atendimento"],
        sandbox_port=ports["sandbox"],
        sandbox_smtp_port=free_port(),
        redis_url="",
        integracoes_database_url="",
        atendimento_database_url="",
        **extra,
    )
    return env, ports


def _answers(port: int, path: str) -> bool:
    try:
        return httpx.get(f"http://127.0.0.1:{port}{path}", timeout=10).status_code < 500
    except httpx.HTTPError:
        return False


PATHS = {"integracoes": "/health", "atendimento": "/entrar", "sandbox": "/_sandbox/clock"}


async def _all_answer(ports: dict[str, int]) -> bool:
    return all(_answers(ports[system], PATHS[system]) for system in SYSTEMS)


def _systems(parent: int) -> dict[str, int]:
    """The system processes of `carinho up` `parent`: system -> pid."""
    found = {}
    for pid in children_of(parent):
        try:
            args = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
        except FileNotFoundError:
            continue
        if b"carinho.embedded_system" in args:
            found[args[args.index(b"carinho.embedded_system") + 1].decode()] = pid
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return False
    return state != "Z"


async def test_one_process_per_system_survives_a_child_kill_and_dies_with_its_parent(tmp_path: Path) -> None:
    env, ports = _env(tmp_path)
    log = tmp_path / "up.log"
    with running(["up"], env, log) as first:
        await wait_until(lambda: _ready(log), timeout=START_TIMEOUT, what="carinho up", log=log)
        assert await _all_answer(ports)
        assert log.read_text().count("Carinho platform is up") == 1
        systems = _systems(first.pid)
        assert sorted(systems) == sorted(SYSTEMS)

        # A first contact crosses all three: the sandbox phone -> the hub -> atendimento, whose answer
        # (a job on the notifications lane, relayed and run in atendimento's process) reaches the phone.
        sandbox = f"http://127.0.0.1:{ports['sandbox']}/_sandbox/zapi"
        sent = httpx.post(f"{sandbox}/phone/messages", json={"phone": PHONE, "text": "Olá!"}, timeout=30)
        assert sent.status_code == 200, sent.text

        async def answered() -> bool:
            received = httpx.get(f"{sandbox}/messages", params={"phone": PHONE}, timeout=30).json()
            return bool(received)

        await wait_until(answered, timeout=120, what="atendimento's answer on the phone", log=log)

        # A system process killed with -9: logged, started again, answering on its port again.
        os.kill(systems["atendimento"], signal.SIGKILL)

        async def restarted() -> bool:
            now = _systems(first.pid).get("atendimento")
            return now not in (None, systems["atendimento"]) and _answers(ports["atendimento"], "/entrar")

        await wait_until(restarted, timeout=START_TIMEOUT, what="atendimento started again", log=log)
        text = log.read_text()
        assert '"platform.child_died"' in text and '"signal": "SIGKILL"' in text
        assert '"platform.child_restarted"' in text

        # kill -9 of the parent: no system process outlives it.
        children = set(_systems(first.pid).values())
        kill9(first)

        async def orphans_gone() -> bool:
            return not any(_alive(pid) for pid in children)

        await wait_until(orphans_gone, timeout=30, what="the children to die with the parent", log=log)

    # Their ports are free: a new `carinho up` on the same ports starts, and SIGTERM stops it all.
    log.write_bytes(b"")
    with running(["up"], env, log) as second:
        await wait_until(lambda: _ready(log), timeout=START_TIMEOUT, what="carinho up again", log=log)
        assert await _all_answer(ports)
        children = set(_systems(second.pid).values())
        assert len(children) == 3
        assert stop(second, timeout=GRACEFUL_BOUND) == 0
        assert not any(_alive(pid) for pid in children)
    text = log.read_text()
    assert '"platform.drain_not_confirmed"' not in text and '"platform.child_killed"' not in text
    assert '"platform.stopped"' in text


async def test_single_process_still_runs_the_whole_platform(tmp_path: Path) -> None:
    env, ports = _env(tmp_path, embedded_processes="single")
    log = tmp_path / "up.log"
    with running(["up"], env, log) as process:
        await wait_until(lambda: _ready(log), timeout=START_TIMEOUT, what="carinho up", log=log)
        assert await _all_answer(ports)
        assert _systems(process.pid) == {}
        assert stop(process, timeout=GRACEFUL_BOUND) == 0
    assert '"platform.stopped"' in log.read_text()


async def _ready(log: Path) -> bool:
    return log.exists() and "Press Ctrl-C to stop." in log.read_text(errors="replace")
