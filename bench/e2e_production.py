"""The production profile for bench/run_e2e.py (`--deploy production`): PostgreSQL + Redis, the hub
and atendimento each under `carinho serve`, the sandbox under `carinho serve sandbox`, one
`carinho scheduler` and `carinho worker --processes N` (every lane) — the README's production
block on one machine, with an env file from `carinho secrets generate --sandbox`.

Each platform gets fresh databases in the local cluster (created here, dropped at the end; trust
auth) and a Redis database number of its own, flushed before and after. Every process is started
in a session of its own and its whole group is killed at the end — also on an error or Ctrl-C
(`stop()` runs from the caller's `finally`; SIGTERM is turned into the same exception).

CPU is measured per role (each process with its children, from /proc), plus the PostgreSQL
backends serving this platform's databases (pids from pg_stat_activity) and the Redis server as a
whole (INFO; other users of the same server count there too).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import re
import signal
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

import redis

from bench.e2e_records import PostgresReader, Records
from bench.run_ingest import wait_ready
from carinho.production_env import SANDBOX_PORT, Target, production_env

TICK = os.sysconf("SC_CLK_TCK")
CONTEXTS = ("integracoes", "atendimento")


def tree_ticks(root: int) -> int:
    """CPU ticks of a process and its descendants, live and reaped (cutime/cstime)."""
    ticks, pending = 0, [root]
    while pending:
        pid = pending.pop()
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except (FileNotFoundError, ProcessLookupError):
            continue  # ended between the listing and now
        ticks += sum(int(f) for f in fields[11:15])
        for children in Path(f"/proc/{pid}/task").glob("*/children"):
            with contextlib.suppress(FileNotFoundError, ProcessLookupError):
                pending += [int(child) for child in children.read_text().split()]
    return ticks


def _raise_interrupt(*_: object) -> None:
    raise KeyboardInterrupt


async def _admin(server: str, statement: str) -> None:
    import asyncpg

    connection = await asyncpg.connect(f"{server}/postgres")
    try:
        await connection.execute(statement)
    finally:
        await connection.close()


class ProductionPlatform:
    """Same interface as run_e2e.Platform: `ports`, `process`, `cpu_seconds()`, `stop()`."""

    def __init__(self, data_dir: Path, args: argparse.Namespace, workers: int) -> None:
        signal.signal(signal.SIGTERM, _raise_interrupt)
        self.ports = {"hub": args.port, "atendimento": args.port + 1, "sandbox": args.port + 2}
        self.server = args.postgres
        self.processes: dict[str, subprocess.Popen[bytes]] = {}
        self.names = {c: f"e2e_{c[:4]}_{uuid.uuid4().hex[:8]}" for c in CONTEXTS}
        self.redis = redis.Redis.from_url(f"{args.redis}/{args.redis_db}")
        self.redis.flushdb()
        self.created: list[str] = []
        try:
            for name in self.names.values():
                asyncio.run(_admin(self.server, f"CREATE DATABASE {name}"))
                self.created.append(name)
            self.env = self._env(data_dir, args)
            self.log = open(data_dir / "platform.log", "ab")  # noqa: SIM115 - closed in stop()
            for command in (["migrate"], ["seed"]):
                subprocess.run(
                    [sys.executable, "-m", "carinho", *command],
                    env=self.env,
                    stdout=self.log,
                    stderr=subprocess.STDOUT,
                    check=True,
                    timeout=300,
                )
            api = ["--workers", str(args.api_workers)]
            self._start("hub", ["serve", "integracoes", *api])
            self._start("atendimento", ["serve", "atendimento", *api])
            self._start("sandbox", ["serve", "sandbox"])
            self._start("scheduler", ["scheduler"])
            self._start("workers", ["worker", "--processes", str(workers)])
            self.process = self.processes["workers"]  # py-spy's target (--profile)
            for port in self.ports.values():
                wait_ready(port, "/health")
            self.readers = {c: PostgresReader(f"{self.server}/{n}") for c, n in self.names.items()}
        except BaseException:
            self.stop()
            raise

    def _env(self, data_dir: Path, args: argparse.Namespace) -> dict[str, str]:
        from bench.run_e2e import SITE_SECRET, ZAPI_SECRET

        text = production_env(Target(sandbox=True, data_dir=str(data_dir)))
        text = (
            text.replace("127.0.0.1:8000", f"127.0.0.1:{self.ports['hub']}")
            .replace("127.0.0.1:8001", f"127.0.0.1:{self.ports['atendimento']}")
            .replace(f"127.0.0.1:{SANDBOX_PORT}", f"127.0.0.1:{self.ports['sandbox']}")
        )
        env_file = data_dir / "carinho.env"
        env_file.write_text(text)
        driver = self.server.replace("postgresql://", "postgresql+asyncpg://", 1)
        return {
            key: value for key, value in os.environ.items() if not key.startswith(("CARINHO_", "REDIS_"))
        } | {
            "CARINHO_ENV_FILE": str(env_file),
            # Environment variables win over the file: the bench's servers, ports and secrets.
            "INTEGRACOES_DATABASE_URL": f"{driver}/{self.names['integracoes']}",
            "ATENDIMENTO_DATABASE_URL": f"{driver}/{self.names['atendimento']}",
            "REDIS_URL": f"{args.redis}/{args.redis_db}",
            "INTEGRACOES_PORT": str(self.ports["hub"]),
            "ATENDIMENTO_PORT": str(self.ports["atendimento"]),
            "SANDBOX_PORT": str(self.ports["sandbox"]),
            "SANDBOX_SMTP_PORT": str(args.port + 3),
            "MAIL_PORT": str(args.port + 3),
            "ZAPI_WEBHOOK_SECRET": ZAPI_SECRET,
            "WEBHOOK_SECRET_SITE": SITE_SECRET,
            "ZAPI_SEND_RATE_PER_MINUTE": str(args.zapi_rate),
            "BIND_HOST": "127.0.0.1",
            "CARINHO_LOG_LEVEL": args.log_level,
        }

    def _start(self, role: str, command: list[str]) -> None:
        self.processes[role] = subprocess.Popen(
            [sys.executable, "-m", "carinho", *command],
            env=self.env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: stop() kills the group
        )

    def records(self, data_dir: Path) -> Records:
        return Records(data_dir, f"http://127.0.0.1:{self.ports['sandbox']}", dict(self.readers))

    def cpu_by_role(self) -> dict[str, float]:
        """CPU seconds so far: each role's process tree, this platform's PostgreSQL backends, and
        the Redis server (shared with whoever else uses it)."""
        found = {role: tree_ticks(p.pid) / TICK for role, p in self.processes.items()}
        found["postgresql"] = sum(tree_ticks(pid) for pid in self._backends()) / TICK
        stats = self.redis.info("cpu")
        found["redis (whole server)"] = float(stats["used_cpu_user"]) + float(stats["used_cpu_sys"])
        return found

    def _backends(self) -> list[int]:
        names = ", ".join(f"'{n}'" for n in self.names.values())
        rows = self.readers["integracoes"].rows(
            f"select pid from pg_stat_activity where datname in ({names}) and pid != pg_backend_pid()"
        )
        return [int(pid) for (pid,) in rows]

    def cpu_seconds(self) -> float:
        return sum(v for k, v in self.cpu_by_role().items() if not k.startswith(("postgresql", "redis")))

    def stop(self) -> None:
        for reader in getattr(self, "readers", {}).values():
            with contextlib.suppress(Exception):
                reader.close()
        for process in self.processes.values():
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
        for process in self.processes.values():
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=30)
            # The group too: a worker child or uvicorn worker that outlived its parent.
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=10)
        for name in self.created:
            asyncio.run(_admin(self.server, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        self.redis.flushdb()
        if hasattr(self, "log"):
            self.log.close()


def scaling_markdown(runs: list[dict[str, Any]]) -> str:
    """The production runs in the order they ran (a count may repeat, to interleave): throughput of
    the burst against the mean of the 1-process runs, latency one at a time, where the CPU went."""
    ones = [
        r["burst"]["contacts_per_s"]
        for r in runs
        if r["workers"] == 1 and r.get("burst", {}).get("contacts_per_s")
    ]
    base = sum(ones) / len(ones) if ones else None
    lines = [
        "| worker processes | burst: contacts/s fully processed | × 1 process "
        "| burst → atendimento p50 / p99 ms | one at a time → atendimento p50 / p99 ms "
        "| CPU s per role during the burst | load before → after |",
        "|---|---|---|---|---|---|---|",
    ]

    def p(result: dict[str, Any], target: str) -> str:
        figures = result.get(target) or {}
        return f"{figures.get('p50_ms')} / {figures.get('p99_ms')}"

    for report in runs:
        burst, one = report.get("burst", {}), report.get("one_at_a_time", {})
        rate = burst.get("contacts_per_s")
        ratio = f"{rate / base:.2f}" if rate and base else "—"
        machine = burst.get("machine", {})
        cpu = ", ".join(f"{k} {v}" for k, v in machine.get("cpu_s_by_role", {}).items())
        lines.append(
            f"| {report['workers']} | {rate} | {ratio} | {p(burst, 'atendimento')} | {p(one, 'atendimento')} "
            f"| {cpu} | {machine.get('load_1min_before')} → {machine.get('load_1min_after')} |"
        )
    return "\n".join(lines)


def parse_counts(value: str) -> list[int]:
    counts = [int(v) for v in re.split(r"[,\s]+", value.strip()) if v]
    if not counts or min(counts) < 1:
        raise argparse.ArgumentTypeError("worker process counts, e.g. 1,2,4")
    return counts
