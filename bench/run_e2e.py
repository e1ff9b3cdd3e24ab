"""End to end under `carinho up` (embedded: SQLite, in-process workers, the sandbox in the same
process): WhatsApp first contacts (Z-API ReceivedCallbacks, signed with X-Signature) and signed site
leads posted to the hub, measured from the systems' own records (bench/e2e_records.py):

- webhook → CRM (the interaction; for a site lead, the lead), → atendimento conversation, → the
  welcome on the phone (the simulated Z-API's accepted message);
- one at a time (the next is posted once the previous one is everywhere): p50/p95/p99;
- fixed offered rates, open loop (bench/loadgen.py), latency from each request's scheduled time;
- a burst of first contacts at once: time until the last one is in the CRM and in atendimento.

    uv run python bench/run_e2e.py                    # defaults below; about 2 minutes
    uv run python bench/run_e2e.py --rates 10,50 --rate-seconds 5 --burst 200

The Z-API send limit is lifted for the measurement (`--zapi-rate`, sends per minute) so that the
welcome's latency is the platform's, not the limit's. Bounded: fixed counts, a deadline for every
wait (`--settle-seconds`), 127.0.0.1 only, a temporary data dir. Prints the load average and the
platform's CPU time per scenario, a JSON line, and a Markdown table for docs/benchmarks.md.

    # the production profile (bench/e2e_production.py): PostgreSQL + Redis, 1, 2 and 4 worker processes
    uv run python bench/run_e2e.py --deploy production --workers 1,2,4 --only warm,one,burst --burst 300
    # inbound while 1,000 welcomes wait for Z-API's 60/min (bench/e2e_held.py), either profile
    uv run python bench/run_e2e.py --only held --held 1000 --probes 20 --settle-seconds 600
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import loadgen
from bench.e2e_held import held, held_markdown
from bench.e2e_production import ProductionPlatform, parse_counts, scaling_markdown, tree_ticks
from bench.e2e_records import Records
from bench.run_ingest import wait_ready
from carinho.kit.signatures import hmac_hex

HOST = "127.0.0.1"
ZAPI_SECRET = "bench-zapi-secret-0123456789abcdef"
SITE_SECRET = "bench-site-secret-0123456789abcdef"
TARGETS = ("crm", "atendimento", "phone")
Seen = dict[str, dict[str, float]]


def callback(phone: str, n: int) -> bytes:
    """A Z-API ReceivedCallback (tests/fixtures/zapi/received_text.json's shape) from a new number."""
    body = {
        "isStatusReply": False,
        "connectedPhone": "5511940028922",
        "waitingMessage": False,
        "isEdit": False,
        "isGroup": False,
        "isNewsletter": False,
        "instanceId": "BENCHE2E",
        "messageId": f"E2E{n:012d}",
        "phone": phone,
        "fromMe": False,
        "momment": int(time.time() * 1000),
        "status": "RECEIVED",
        "chatName": f"Maria {n}",
        "senderName": f"Maria {n}",
        "broadcast": False,
        "type": "ReceivedCallback",
        "text": {"message": "Olá! Vocês têm cuidadora para minha mãe?"},
    }
    return json.dumps(body, separators=(",", ":")).encode()


def site_lead(phone: str, n: int) -> bytes:
    body = {"lead_id": f"e2e-{n}", "name": f"Francisca {n}", "phone": phone, "utm_source": "google"}
    return json.dumps(body, separators=(",", ":")).encode()


def phone_of(n: int) -> str:
    return f"55119{n:08d}"


class Platform:
    """`carinho up` in a subprocess on a temporary data dir, with the bench's webhook secrets."""

    def __init__(
        self,
        data_dir: Path,
        args: argparse.Namespace,
        module: str = "carinho",  # bench/run_sql_counts.py runs it under bench.sql_counts
        env: dict[str, str] | None = None,
    ) -> None:
        self.ports = {"hub": args.port, "atendimento": args.port + 1, "sandbox": args.port + 2}
        env = (
            os.environ
            | {
                "CARINHO_DATA_DIR": str(data_dir),
                "CARINHO_ENV": "development",
                "INTEGRACOES_PORT": str(self.ports["hub"]),
                "ATENDIMENTO_PORT": str(self.ports["atendimento"]),
                "SANDBOX_PORT": str(self.ports["sandbox"]),
                "SANDBOX_SMTP_PORT": str(args.port + 3),
                "ZAPI_WEBHOOK_SECRET": ZAPI_SECRET,
                "WEBHOOK_SECRET_SITE": SITE_SECRET,
                "ZAPI_SEND_RATE_PER_MINUTE": str(args.zapi_rate),
                "REDIS_URL": "",
                "INTEGRACOES_DATABASE_URL": "",
                "ATENDIMENTO_DATABASE_URL": "",
                "CARINHO_LOG_LEVEL": "WARNING",
            }
            | (env or {})
        )
        self.log = open(data_dir / "platform.log", "wb")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(
            [sys.executable, "-m", module, "up"], env=env, stdout=self.log, stderr=subprocess.STDOUT
        )
        wait_ready(self.ports["hub"], "/health")
        wait_ready(self.ports["atendimento"], "/health")
        wait_ready(self.ports["sandbox"], "/health")

    def cpu_seconds(self) -> float:
        """CPU of `carinho up` and of its system processes (EMBEDDED_PROCESSES=per_system), live ones
        and reaped ones."""
        return tree_ticks(self.process.pid) / os.sysconf("SC_CLK_TCK")

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=60)
        self.log.close()


class Bench:
    def __init__(self, platform: Platform, records: Records, args: argparse.Namespace) -> None:
        self.platform = platform
        self.records = records
        self.args = args
        self.next_n = 1
        self.client = httpx.Client(base_url=f"http://{HOST}:{platform.ports['hub']}", timeout=30)

    def numbers(self, count: int) -> list[int]:
        first = self.next_n
        self.next_n += count
        return list(range(first, first + count))

    def observed(self, kind: str, targets: tuple[str, ...] = TARGETS, phone: str | None = None) -> Seen:
        readers = {
            "crm": self.records.crm_interactions if kind == "whatsapp" else self.records.crm_leads,
            "atendimento": self.records.conversations,
            "phone": lambda: self.records.phone_messages(phone),
        }
        return {target: readers[target]() for target in targets}

    def key(self, kind: str, n: int, target: str) -> str:
        return f"E2E{n:012d}" if kind == "whatsapp" and target == "crm" else phone_of(n)

    def wait_for(self, kind: str, numbers: list[int], targets: tuple[str, ...], poll: float) -> None:
        """Poll the records until every number reached every target, or the deadline. The databases
        are read in this process; the sandbox's API (in the platform's) only for the phone, last."""
        deadline = time.monotonic() + self.args.settle_seconds
        phone = phone_of(numbers[0]) if len(numbers) == 1 else None
        pending = list(targets)
        while pending and time.monotonic() < deadline:
            target = pending[0]
            seen = self.observed(kind, (target,), phone)[target]
            if all(self.key(kind, n, target) in seen for n in numbers):
                pending.pop(0)
            else:
                time.sleep(poll)

    def latencies(
        self, kind: str, sent: dict[int, float], targets: tuple[str, ...] = TARGETS
    ) -> dict[str, Any]:
        seen = self.observed(kind)
        result: dict[str, Any] = {}
        for target in targets:
            found = [
                seen[target][k] - sent[n] for n in sent if (k := self.key(kind, n, target)) in seen[target]
            ]
            result[target] = summary(found, len(sent))
        return result

    def post(self, kind: str, n: int) -> float:
        phone = phone_of(n)
        body = callback(phone, n) if kind == "whatsapp" else site_lead(phone, n)
        path, header, secret = (
            ("/webhooks/whatsapp", "X-Signature", ZAPI_SECRET)
            if kind == "whatsapp"
            else ("/webhooks/site/lead", "Signature", SITE_SECRET)
        )
        at = time.time()
        response = self.client.post(
            path, content=body, headers={"Content-Type": "application/json", header: hmac_hex(secret, body)}
        )
        response.raise_for_status()
        return at

    def one_at_a_time(self, kind: str, count: int, targets: tuple[str, ...] = ()) -> dict[str, Any]:
        targets = targets or (("crm", "phone") if kind == "site" else TARGETS)
        sent: dict[int, float] = {}
        for n in self.numbers(count):
            sent[n] = self.post(kind, n)
            self.wait_for(kind, [n], targets, poll=0.01)
        return self.latencies(kind, sent, targets)

    def open_loop(self, numbers: list[int], rate: float) -> tuple[dict[int, float], dict[str, Any]]:
        """Post these first contacts at `rate` per second (open loop); their scheduled times."""
        with tempfile.NamedTemporaryFile("wb", suffix=".txt") as lines:
            for n in numbers:
                body = callback(phone_of(n), n)
                lines.write(hmac_hex(ZAPI_SECRET, body).encode() + b" " + body + b"\n")
            lines.flush()
            requests = loadgen.build_requests(
                lines.name, HOST, 0, len(numbers), b"/webhooks/whatsapp", b"X-Signature"
            )
        answered = asyncio.run(loadgen.run(HOST, self.platform.ports["hub"], requests, rate))
        start = float(answered.pop("start_epoch"))
        return {n: start + i / rate for i, n in enumerate(numbers)}, answered

    def drain(self) -> None:
        """Wait (at most --settle-seconds) for the hub's backlog of an earlier scenario to clear, so
        that each scenario starts on an idle platform."""
        deadline = time.monotonic() + self.args.settle_seconds
        while self.records.hub_counts()["outbox_not_done"] > 5 and time.monotonic() < deadline:
            time.sleep(0.5)

    def scenario(self, name: str, run: Any) -> dict[str, Any]:
        self.drain()
        load_before, cpu_before, wall_before = (
            os.getloadavg()[0],
            self.platform.cpu_seconds(),
            time.monotonic(),
        )
        by_role = getattr(self.platform, "cpu_by_role", dict)
        roles_before = by_role()
        first, last_event = self.next_n, self.records.last_event_id()
        result: dict[str, Any] = run()
        wall = time.monotonic() - wall_before
        cpu = self.platform.cpu_seconds() - cpu_before
        result["machine"] = {
            # What a contact costs whatever the machine's load: the platform's CPU time (its steps,
            # the status callbacks that follow each welcome, the sandbox's side) per contact.
            "platform_cpu_ms_per_contact": round(cpu * 1000 / max(1, self.next_n - first), 1),
            "load_1min_before": round(load_before, 2),
            "load_1min_after": round(os.getloadavg()[0], 2),
            "platform_cpu_cores": round(cpu / wall, 2),
            "wall_s": round(wall, 1),
        }
        if roles_before:  # the production profile: where the CPU went
            result["machine"]["cpu_s_by_role"] = {
                role: round(seconds - roles_before[role], 1) for role, seconds in by_role().items()
            }
        result["hub"] = self.records.hub_counts() | self.records.hub_timings(last_event)
        print(name, json.dumps(result), file=sys.stderr, flush=True)
        return result

    def profiled(self, run: Any) -> Any:
        """`run()` under py-spy (collapsed stacks, every thread) when --profile names a file."""
        if not self.args.profile:
            return run()
        spy = subprocess.Popen(
            [
                "py-spy",
                "record",
                "--pid",
                str(self.platform.process.pid),
                "--format",
                "raw",
                "--rate",
                "50",
                "--nonblocking",
                "--threads",
                "--subprocesses",  # EMBEDDED_PROCESSES=per_system: the system processes
                "--output",
                self.args.profile,
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            return run()
        finally:
            spy.send_signal(2)  # py-spy writes its file on SIGINT
            spy.wait(timeout=60)

    def rate(self, rate: int) -> dict[str, Any]:
        numbers = self.numbers(rate * self.args.rate_seconds)
        sent, answered = self.open_loop(numbers, rate)
        self.wait_for("whatsapp", numbers, TARGETS, poll=0.2)
        return {"offered_per_s": rate, "ingest": answered, **self.latencies("whatsapp", sent)}

    def burst(self, count: int) -> dict[str, Any]:
        numbers = self.numbers(count)
        sent, answered = self.open_loop(numbers, self.args.burst_rate)
        self.wait_for("whatsapp", numbers, TARGETS, poll=0.2)
        first = min(sent.values())
        seen = self.observed("whatsapp")
        last = {
            target: round(max(seen[target][self.key("whatsapp", n, target)] for n in numbers) - first, 2)
            if all(self.key("whatsapp", n, target) in seen[target] for n in numbers)
            else None
            for target in TARGETS
        }
        done = [
            max(seen[target][self.key("whatsapp", n, target)] for target in TARGETS)
            for n in numbers
            if all(self.key("whatsapp", n, target) in seen[target] for target in TARGETS)
        ]
        # First contacts fully processed (in the CRM, in atendimento, welcomed) per second of the burst.
        throughput = round(len(done) / (max(done) - first), 2) if done else None
        return {
            "count": count,
            "ingest": answered,
            "last_after_s": last,
            "contacts_per_s": throughput,
            **self.latencies("whatsapp", sent),
        }


def summary(latencies: list[float], expected: int) -> dict[str, Any]:
    ordered = sorted(latencies)

    def pct(p: float) -> float | None:
        if not ordered:
            return None
        return round(ordered[min(len(ordered) - 1, int(p * len(ordered)))] * 1000, 1)

    return {
        "reached": len(ordered),
        "of": expected,
        "p50_ms": pct(0.5),
        "p95_ms": pct(0.95),
        "p99_ms": pct(0.99),
    }


def run_scenarios(bench: Bench, wanted: set[str]) -> dict[str, Any]:
    args, report = bench.args, {}
    if "warm" in wanted:  # imports, first connections, mapping caches: not measured
        bench.one_at_a_time("whatsapp", 5)
        bench.one_at_a_time("site", 3)
    if "one" in wanted:
        report["one_at_a_time"] = bench.scenario(
            "one", lambda: bench.one_at_a_time("whatsapp", args.one_at_a_time)
        )
    if "site" in wanted:
        report["site_one_at_a_time"] = bench.scenario(
            "site", lambda: bench.one_at_a_time("site", max(10, args.one_at_a_time // 2))
        )
    if "rates" in wanted:
        for rate in (int(r) for r in args.rates.split(",") if r and int(r) > 0):
            report[f"rate_{rate}"] = bench.scenario(f"rate {rate}", lambda r=rate: bench.rate(r))
    if "burst" in wanted and args.burst:
        report["burst"] = bench.scenario("burst", lambda: bench.profiled(lambda: bench.burst(args.burst)))
    return report


def on_platform(
    args: argparse.Namespace, data_dir: Path, wanted: set[str], workers: int = 0
) -> dict[str, Any]:
    """Start a platform (embedded, or the production profile with `workers` worker processes) on a
    new data dir, run the wanted scenarios (`held`: bench/e2e_held.py), stop every process."""
    data_dir.mkdir(parents=True)
    if "held" in wanted:  # Z-API's limit as shipped: the welcomes must wait
        args = argparse.Namespace(**(vars(args) | {"zapi_rate": args.held_zapi_rate}))
    platform: Any = None
    try:
        if workers:
            platform = ProductionPlatform(data_dir, args, workers)
            records = platform.records(data_dir)
        else:
            platform = Platform(data_dir, args)
            records = Records(data_dir, f"http://{HOST}:{platform.ports['sandbox']}")
        bench = Bench(platform, records, args)
        if "held" in wanted:
            return {"held": bench.scenario("held", lambda: held(bench, args.held, args.probes))}
        return run_scenarios(bench, wanted)
    finally:
        if platform is not None:
            platform.stop()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--one-at-a-time", type=int, default=100)
    parser.add_argument("--rates", default="10,50,200", help="offered rates per second (0: none)")
    parser.add_argument("--rate-seconds", type=int, default=10)
    parser.add_argument("--burst", type=int, default=1000)
    parser.add_argument("--burst-rate", type=float, default=20_000.0, help="posting rate of the burst")
    parser.add_argument("--zapi-rate", type=int, default=1_000_000, help="Z-API sends per minute")
    parser.add_argument("--settle-seconds", type=float, default=120.0)
    parser.add_argument("--port", type=int, default=18720)
    parser.add_argument("--data-dir", default="", help="a new directory to keep (data and platform.log)")
    parser.add_argument("--profile", default="", help="py-spy's collapsed stacks of the burst, to this file")
    parser.add_argument("--only", default="warm,one,site,rates,burst", help="scenarios; `held` on its own")
    parser.add_argument("--deploy", choices=("embedded", "production"), default="embedded")
    parser.add_argument(
        "--workers", type=parse_counts, default=[1, 2, 4], help="production: worker processes"
    )
    parser.add_argument("--api-workers", type=int, default=1, help="production: `carinho serve --workers`")
    parser.add_argument("--postgres", default="postgresql://root@127.0.0.1:5432", help="production: server")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379", help="production: Redis server")
    parser.add_argument("--redis-db", type=int, default=11, help="production: flushed before and after")
    parser.add_argument("--log-level", default="WARNING", help="production: the processes' log level")
    parser.add_argument("--held", type=int, default=1000, help="held: first contacts whose welcomes wait")
    parser.add_argument("--held-zapi-rate", type=int, default=60, help="held: Z-API sends per minute")
    parser.add_argument("--probes", type=int, default=20, help="held: new inbound messages timed")
    args = parser.parse_args()
    wanted = set(args.only.split(","))

    report: dict[str, Any] = {"cores": os.cpu_count(), "deploy": args.deploy}
    kept = Path(args.data_dir) if args.data_dir else None
    where = contextlib.nullcontext(str(kept)) if kept else tempfile.TemporaryDirectory(prefix="carinho-e2e-")
    with where as tmp:
        if args.deploy == "embedded":
            report |= on_platform(args, Path(tmp) / "embedded", wanted)
        else:
            report["runs"] = [
                {"workers": n} | on_platform(args, Path(tmp) / f"run-{i}-workers-{n}", wanted, n)
                for i, n in enumerate(args.workers)
            ]
    print(json.dumps(report))
    if args.deploy == "production":
        for run in report["runs"]:
            print(f"\n{run['workers']} worker process(es):\n{markdown(run)}")
        if "burst" in wanted:
            print("\n" + scaling_markdown(report["runs"]))
    else:
        print(markdown(report))


def _cell(result: dict[str, Any], target: str) -> str:
    figures = result.get(target)
    if not figures or figures["p50_ms"] is None:
        return "—"
    reached = "" if figures["reached"] == figures["of"] else f" ({figures['reached']} of {figures['of']})"
    return f"{figures['p50_ms']:,.0f} / {figures['p95_ms']:,.0f} / {figures['p99_ms']:,.0f}{reached}"


def markdown(report: dict[str, Any]) -> str:
    lines = [
        "| scenario (p50 / p95 / p99 ms from the webhook) | → CRM | → atendimento | → welcome on the phone "
        "| load 1-min before → after | platform cores | platform CPU ms per contact |",
        "|---|---|---|---|---|---|---|",
    ]
    for name, result in report.items():
        if name == "held":
            return held_markdown("Inbound while welcomes wait", result)
        if not isinstance(result, dict):
            continue
        machine = result["machine"]
        label = {
            "one_at_a_time": "WhatsApp, one at a time",
            "site_one_at_a_time": "site lead, one at a time (CRM: the lead)",
            "burst": f"burst of {result.get('count')} first contacts",
        }.get(name, f"{result.get('offered_per_s')}/s offered, open loop")
        lines.append(
            f"| {label} | {_cell(result, 'crm')} | {_cell(result, 'atendimento')} | {_cell(result, 'phone')} "
            f"| {machine['load_1min_before']} → {machine['load_1min_after']} "
            f"| {machine['platform_cpu_cores']} | {machine['platform_cpu_ms_per_contact']} |"
        )
    burst = report.get("burst")
    if burst:
        last = burst["last_after_s"]
        lines.append(
            f"\nBurst of {burst['count']}: the last one in the CRM after {last['crm']} s, in atendimento "
            f"after {last['atendimento']} s, its welcome after {last['phone']} s (None: not all within "
            "the deadline)."
        )
    return "\n".join(lines)


if __name__ == "__main__":
    main()
