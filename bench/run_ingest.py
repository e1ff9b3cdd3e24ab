"""Ingest benchmark: durable `/webhooks/site/lead` (carinho serve integracoes, embedded SQLite) against a
bare FastAPI endpoint answering 202, both under uvicorn with one worker, driven from separate processes on
127.0.0.1: wrk (closed loop, saturation) and bench/loadgen.py (open loop, fixed rates).

    uv run python bench/run_ingest.py            # defaults: 10 s per measurement, rates 200,500,1000

Bounded: every measurement has a fixed duration and request count; only 127.0.0.1; temporary data dir.
Prints a Markdown table (paste into docs/benchmarks.md) and a JSON line with everything.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
SECRET = "bench-site-secret-0123456789abcdef"
HOST = "127.0.0.1"
WARM_UP_FROM = 300_000  # request lines from here on are for the warm-ups


def wait_ready(port: int, path: str, timeout: float = 240.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            httpx.get(f"http://{HOST}:{port}{path}", timeout=1.0)
            return
        except httpx.HTTPError:
            time.sleep(0.2)
    raise SystemExit(f"server on port {port} did not start")


def start_hub(env: dict[str, str], port: int) -> subprocess.Popen[bytes]:
    subprocess.run([sys.executable, "-m", "carinho", "migrate"], env=env, check=True, capture_output=True)
    return subprocess.Popen(
        [sys.executable, "-m", "carinho", "serve", "integracoes", "--host", HOST, "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def start_baseline(env: dict[str, str], port: int) -> subprocess.Popen[bytes]:
    code = (
        "import uvicorn; uvicorn.run('bench.baseline_app:app', host='127.0.0.1', "
        f"port={port}, log_config=None, proxy_headers=True)"
    )
    return subprocess.Popen(
        [sys.executable, "-c", code], env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )


def wrk(port: int, requests_file: Path, seconds: int, connections: int, offset: int = 0) -> dict[str, float]:
    env = os.environ | {
        "REQUESTS_FILE": str(requests_file),
        "WRK_THREADS": "1",
        "REQUESTS_OFFSET": str(offset),
    }
    out = subprocess.run(
        [
            "wrk",
            "-t1",
            f"-c{connections}",
            f"-d{seconds}s",
            "--timeout",
            "10s",
            "-s",
            str(ROOT / "bench" / "signed_leads.lua"),
            f"http://{HOST}:{port}",
        ],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    match = re.search(
        r"WRK_RESULT requests=(\d+) duration_us=(\d+) p50_us=(\d+) p99_us=(\d+) errors=(\d+)", out
    )
    if match is None:
        raise SystemExit(out)
    requests, duration, p50, p99, errors = (int(g) for g in match.groups())
    return {
        "rps": round(requests / (duration / 1e6), 1),
        "requests": requests,
        "p50_ms": p50 / 1000,
        "p99_ms": p99 / 1000,
        "errors": errors,
    }


def loadgen(port: int, requests_file: Path, rate: int, seconds: int, offset: int) -> dict[str, float]:
    out = subprocess.run(
        [
            sys.executable,
            str(ROOT / "bench" / "loadgen.py"),
            HOST,
            str(port),
            str(requests_file),
            str(rate),
            str(seconds),
            str(offset),
        ],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    result: dict[str, float] = json.loads(out.strip().splitlines()[-1])
    return result


def batch_totals(port: int) -> tuple[float, float]:
    """(events, transactions) of the hub's group commit so far, from its Prometheus histogram."""
    text = httpx.get(f"http://{HOST}:{port}/metrics/", timeout=10.0).text
    found = dict(
        line.split(" ", 1)
        for line in text.splitlines()
        if line.startswith(("carinho_ingest_batch_events_sum ", "carinho_ingest_batch_events_count "))
    )
    return float(found.get("carinho_ingest_batch_events_sum", 0)), float(
        found.get("carinho_ingest_batch_events_count", 0)
    )


def count_events(data_dir: Path) -> int:
    with sqlite3.connect(data_dir / "integracoes.sqlite3") as connection:
        (count,) = connection.execute("select count(*) from integration_events").fetchone()
    return int(count)


def answered_2xx(target: dict[str, object]) -> int:
    """Every 2xx the generators counted (wrk counts answers; the script counts any non-2xx as an
    error). The events stored may exceed it by the requests in flight when a wrk run stopped counting
    (at most its connections), never fall short of it."""
    runs = [*target["warm_up"], target["saturation"]]  # type: ignore[misc]
    runs += [value for key, value in target.items() if key.isdigit()]
    return sum(int(run.get("ok", run.get("requests", 0) - run.get("errors", 0))) for run in runs)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--rates", default="200,500,1000")
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--hub-port", type=int, default=18700)
    parser.add_argument("--baseline-port", type=int, default=18701)
    parser.add_argument("--synchronous", choices=("full", "normal"), default="full")  # SQLITE_SYNCHRONOUS
    args = parser.parse_args()
    rates = [int(r) for r in args.rates.split(",")]

    with tempfile.TemporaryDirectory(prefix="carinho-bench-") as tmp:
        data_dir = Path(tmp)
        requests_file = data_dir / "requests.txt"
        total = 400_000
        subprocess.run(
            [sys.executable, str(ROOT / "bench" / "requests_gen.py"), str(requests_file), SECRET, str(total)],
            check=True,
        )
        env = os.environ | {
            "CARINHO_DATA_DIR": str(data_dir),
            "CARINHO_ENV": "development",
            "WEBHOOK_SECRET_SITE": SECRET,
            "SANDBOX_ENABLED": "false",
            "REDIS_URL": "",
            "INTEGRACOES_DATABASE_URL": "",
            "SQLITE_SYNCHRONOUS": args.synchronous,
        }
        results: dict[str, dict[str, object]] = {}
        hub = start_hub(env, args.hub_port)
        baseline = start_baseline(env, args.baseline_port)
        try:
            wait_ready(args.hub_port, "/health")
            wait_ready(args.baseline_port, "/docs")
            offset = 0
            targets = (("baseline", args.baseline_port), ("durable", args.hub_port))
            for index, (name, port) in enumerate(targets):
                # Warm-up (not measured): 3 s at saturation, then 2 s of the open-loop generator, both
                # with keys from the end of the file, which the measured runs never reach (no duplicate
                # is ever sent). Then saturation, then the fixed rates.
                warm_up = [
                    wrk(port, requests_file, 3, args.connections, offset=WARM_UP_FROM + 45_000 * index),
                    loadgen(port, requests_file, 200, 2, total - 1000 + 400 * index),
                ]
                before = batch_totals(port) if name == "durable" else None
                results[name] = {
                    "warm_up": warm_up,
                    "saturation": wrk(port, requests_file, args.seconds, args.connections),
                }
                if before is not None:
                    events, transactions = (a - b for a, b in zip(batch_totals(port), before, strict=True))
                    results[name]["saturation_events_per_transaction"] = round(
                        events / max(transactions, 1), 1
                    )
                for rate in rates:
                    results[name][str(rate)] = loadgen(
                        port, requests_file, rate, args.seconds, 200_000 + offset
                    )
                    offset += rate * args.seconds
        finally:
            for process in (hub, baseline):
                process.terminate()
                process.wait(timeout=30)
        results["durable"]["events_stored"] = count_events(data_dir)
        results["durable"]["answered_2xx"] = answered_2xx(results["durable"])
        results["durable"]["sqlite_synchronous"] = args.synchronous
    print(json.dumps(results))
    print(f"Hub on SQLITE_SYNCHRONOUS={args.synchronous}.")
    print(markdown(results, rates))


def markdown(results: dict[str, dict[str, object]], rates: list[int]) -> str:
    base, durable = results["baseline"], results["durable"]
    bs, ds = base["saturation"], durable["saturation"]
    assert isinstance(bs, dict) and isinstance(ds, dict)
    lines = [
        "| measurement | baseline (bare FastAPI 202) | durable ingest (hub, SQLite) | ratio |",
        "|---|---|---|---|",
        f"| saturation throughput (wrk, 64 conns) | {bs['rps']} req/s | {ds['rps']} req/s "
        f"| {ds['rps'] / bs['rps']:.0%} of baseline |",
        f"| saturation p50 / p99 | {bs['p50_ms']} / {bs['p99_ms']} ms "
        f"| {ds['p50_ms']} / {ds['p99_ms']} ms | |",
        f"| saturation: events per transaction (group commit) | | "
        f"{durable.get('saturation_events_per_transaction')} | |",
    ]
    for rate in rates:
        b, d = base[str(rate)], durable[str(rate)]
        assert isinstance(b, dict) and isinstance(d, dict)
        lines.append(
            f"| {rate} req/s offered: p50 / p99 (achieved) "
            f"| {b['p50_ms']} / {b['p99_ms']} ms ({b['achieved_rps']}/s) "
            f"| {d['p50_ms']} / {d['p99_ms']} ms ({d['achieved_rps']}/s) "
            f"| p99 ×{d['p99_ms'] / b['p99_ms']:.2f} |"
        )
    return "\n".join(lines)


if __name__ == "__main__":
    main()
