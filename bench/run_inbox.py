"""Atendimento workspace benchmark (issue 14): the attendant's pages with 10,000 conversations and
200,000 messages, on SQLite and on PostgreSQL, and a message's way from the Z-API webhook to the
browser under `carinho up`.

    uv run python bench/run_inbox.py --write          # ~6-10 minutes; --write updates docs/benchmarks.md

Server time: each page is requested in-process over ASGI (httpx.ASGITransport, no socket) with the
logged-in session cookie of an attendant (N1) or a supervisor, after warm-up, in interleaved rounds
(every scenario once per round, so a busy machine slows them alike); reported as p50/p95 beside
baselines measured in the same rounds: the JSON API over the same data for the same person
(`GET /api/conversations?limit=50`, `GET /api/conversations/{id}/messages`) and a plain page of the
same layout (`/conta/senha`). SQL statements per request are counted with a SQLAlchemy
`before_cursor_execute` listener.

First load: the inbox's HTML plus its own CSS and JS as served, in bytes on the wire (the app gzips
its static files for a browser that asks; pages go as rendered), htmx reported aside; what gzip
would make of each body is shown for information.

Live: `carinho up` started by the browser-test harness (kit/ui/testing) on free ports and a fresh
data dir; headless Chromium logged in as an attendant; N messages posted from the sandbox phone one
at a time; each one's latency is from just before the post (Python's clock) to the moment a
MutationObserver in the page sees its text in a visible element (the browser's Date.now(), the
same machine's clock).

Bounded: fixed data set, at most --rounds rounds or --budget seconds of measuring per backend,
--live messages; temporary directories and databases (PostgreSQL: 127.0.0.1:5432, trust auth,
a database of its own, dropped at the end). Touches nothing else.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import gc
import gzip
import io
import json
import os
import pstats
import re
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import event

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "src"))

from bench.atendimento_data import DataSet, Login, build, temporary_database  # noqa: E402
from bench.inbox_report import (  # noqa: E402
    live_table,
    load_table,
    percentile,
    section,
    server_table,
    write_section,
)
from bench.inbox_scenarios import Scenario, scenarios  # noqa: E402
from carinho.config import Settings  # noqa: E402
from carinho.logging import configure_logging  # noqa: E402
from carinho.runtime import Runtime  # noqa: E402

STATIC = re.compile(r'(?:href|src)="(/static/[^"]+)"')


class SqlCounter:
    """Counts (and, when asked, keeps) the statements the engine sends to the database."""

    def __init__(self) -> None:
        self.count = 0
        self.keep = False
        self.kept: list[tuple[str, Any]] = []

    def __call__(
        self, conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, many: bool
    ) -> None:
        self.count += 1
        if self.keep:
            self.kept.append((statement, parameters))


def settings_for(url: str, workdir: str) -> Settings:
    return Settings(
        _env_file=None,
        carinho_env="development",
        carinho_data_dir=Path(workdir),
        carinho_log_level="WARNING",
        integracoes_database_url=f"sqlite+aiosqlite:///{workdir}/integracoes.sqlite3",
        atendimento_database_url=url,
        session_secret="bench-session-secret-not-a-placeholder",
        zapi_webhook_secret="bench-zapi-secret",
    )


async def login(app: Any, who: Login) -> httpx.AsyncClient:
    client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://atendimento.bench")
    answer = await client.post(
        "/entrar", data={"email": who.email, "password": who.password, "next": "/conversas"}
    )
    if answer.status_code != 303:
        raise RuntimeError(f"login of {who.email} failed: {answer.status_code} {answer.text[:300]}")
    return client


async def fetch(client: httpx.AsyncClient, scenario: Scenario) -> httpx.Response:
    headers = {"accept": "text/html"} if scenario.kind != "baseline" or scenario.key == "plain" else {}
    if scenario.htmx:
        headers["hx-request"] = "true"
    return await client.get(scenario.url, headers=headers)


async def first_load(client: httpx.AsyncClient) -> dict[str, Any]:
    """The inbox's HTML and the static files it references, as served."""
    page = await client.get("/conversas", headers={"accept": "text/html"})
    files: dict[str, dict[str, int]] = {}
    for url in dict.fromkeys(STATIC.findall(page.text)):
        response = await client.get(url, headers={"accept-encoding": "gzip"})
        body = response.content
        # on the wire: the app gzips its static files for a browser that asks (every browser does)
        files[url.split("?")[0]] = {
            "bytes": response.num_bytes_downloaded,
            "gzip": len(gzip.compress(body, 6)),
        }
    html = {"bytes": len(page.content), "gzip": len(gzip.compress(page.content, 6))}
    own = [v for k, v in files.items() if "/vendor/" not in k]
    vendor = [v for k, v in files.items() if "/vendor/" in k]
    return {
        "html": html,
        "files": files,
        "own_total": html["bytes"] + sum(v["bytes"] for v in own),
        "own_total_gzip": html["gzip"] + sum(v["gzip"] for v in own),
        "vendor_total": sum(v["bytes"] for v in vendor),
        "vendor_total_gzip": sum(v["gzip"] for v in vendor),
    }


async def explain(rt: Runtime, statement: str, parameters: Any, context: str = "atendimento") -> list[str]:
    """The plan of a statement: SQLite's `EXPLAIN QUERY PLAN`, PostgreSQL's `EXPLAIN (ANALYZE, BUFFERS)`."""
    database = rt.db(context)
    async with database.engine.connect() as conn:
        if database.backend == "sqlite":
            rows = await conn.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters)
            return [f"{'  ' * 0}{row[-1]}" for row in rows]
        rows = await conn.exec_driver_sql("EXPLAIN (ANALYZE, BUFFERS) " + statement, parameters)
        return [row[0] for row in rows]


ClientFor = Callable[[Scenario], httpx.AsyncClient]


async def timed_rounds(plan: list[Scenario], client_for: ClientFor, args: argparse.Namespace) -> int:
    """After `args.warmup` unmeasured rounds, every scenario once per round, interleaved, for at least
    20 rounds and up to `args.rounds` or `args.budget` seconds; each request's wall and CPU time land
    in its scenario. The heap is frozen first, as the app's lifespan does at startup (service_app.py);
    the caller unfreezes it when done."""
    gc.collect()
    gc.freeze()
    for _ in range(args.warmup):
        for scenario in plan:
            await fetch(client_for(scenario), scenario)
    deadline = time.perf_counter() + args.budget
    rounds = 0
    while rounds < args.rounds and (rounds < 20 or time.perf_counter() < deadline):
        for scenario in plan:
            started, cpu = time.perf_counter(), time.process_time()
            await fetch(client_for(scenario), scenario)
            scenario.timings.append((time.perf_counter() - started) * 1000)
            scenario.cpu.append((time.process_time() - cpu) * 1000)
        rounds += 1
    return rounds


async def query_plans(
    rt: Runtime, plan: list[Scenario], keys: list[str], context: str = "atendimento"
) -> dict[str, Any]:
    """EXPLAIN of each SELECT the scenarios named in `keys` ran (kept on their counted request)."""
    plans = {}
    for key in keys:
        scenario = next(s for s in plan if s.key == key)
        plans[key] = [
            {"sql": sql, "plan": await explain(rt, sql, params, context)}
            for sql, params in scenario.sql
            if sql.lstrip().upper().startswith(("SELECT", "WITH"))
        ]
    return plans


def scenario_results(plan: list[Scenario]) -> list[dict[str, Any]]:
    return [
        {
            "key": s.key,
            "label": s.label,
            "who": s.who,
            "url": s.url,
            "kind": s.kind,
            "baseline": s.baseline,
            "statements": s.statements,
            "bytes": s.size,
            "p50_ms": round(statistics.median(s.timings), 2),
            "p95_ms": round(percentile(s.timings, 0.95), 2),
            "cpu_p50_ms": round(statistics.median(s.cpu), 2),
        }
        for s in plan
    ]


async def measure_backend(backend: str, args: argparse.Namespace) -> dict[str, Any]:
    """Builds the data set in a temporary database of `backend` and measures it."""
    with tempfile.TemporaryDirectory(prefix="carinho_inbox_bench_") as workdir:
        async with temporary_database(backend, workdir) as url:
            data = await build(url, conversations=args.conversations, messages=args.messages, seed=args.seed)
            print(f"[{backend}] data set in {data.seconds:.1f} s: {data.counts}", flush=True)
            result = await measure(url, data, workdir, args)
    return {"backend": backend, "data": data.counts, "load_seconds": round(data.seconds, 1), **result}


async def measure(url: str, data: DataSet, workdir: str, args: argparse.Namespace) -> dict[str, Any]:
    """Every scenario against the loaded database at `url`."""
    from carinho.atendimento.app import create_app

    settings = settings_for(url, workdir)
    configure_logging(settings.carinho_log_level)  # a 500's traceback reaches stderr
    rt = Runtime(settings)
    app = create_app(rt)
    clients = {"attendant": await login(app, data.attendant), "supervisor": await login(app, data.supervisor)}
    counter = SqlCounter()
    event.listen(rt.db("atendimento").engine.sync_engine, "before_cursor_execute", counter)
    plan = [s for s in scenarios(data) if not args.only or s.key in args.only or s.kind == "baseline"]
    if any(s.key.startswith("sup_dash") for s in plan):
        # As in production, where the worker's hourly roll-up has counted the closed hours: the
        # dashboard then reads only the current hour's messages (docs/benchmarks.md, live metrics).
        from carinho.atendimento.metrics.service import metrics_service

        async with rt.db("atendimento").session() as session:
            await metrics_service.roll_up_message_hours(session)
            await session.commit()
    for scenario in plan:  # status and size, then the statements of a second (warm) request
        answer = await fetch(clients[scenario.who], scenario)
        counter.count, counter.keep, counter.kept = 0, True, []
        await fetch(clients[scenario.who], scenario)
        if answer.status_code != 200:
            raise RuntimeError(f"{scenario.key} {scenario.url}: {answer.status_code} {answer.text[:500]}")
        scenario.statements, scenario.size, scenario.sql = counter.count, len(answer.content), counter.kept
        counter.keep = False
    loads = await first_load(clients["attendant"])
    rounds = await timed_rounds(plan, lambda scenario: clients[scenario.who], args)
    profiles = {}
    for key in args.profile:
        scenario = next(s for s in plan if s.key == key)
        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(20):
            await fetch(clients[scenario.who], scenario)
        profiler.disable()
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats(args.profile_sort).print_stats(45)
        profiles[key] = out.getvalue()
    plans = await query_plans(rt, plan, args.explain)
    gc.unfreeze()
    for client in clients.values():
        await client.aclose()
    await rt.db("atendimento").dispose()
    await rt.db("integracoes").dispose()
    return {
        "rounds": rounds,
        "first_load": loads,
        "scenarios": scenario_results(plan),
        "profiles": profiles,
        "plans": plans,
    }


# ---------------------------------------------------------------------------------------- report


def stamp(report: dict[str, Any], path: Path) -> None:
    """When and under what load, then the raw results to `path` (so a failing later part loses nothing)."""
    report["at"] = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    report["load_average"] = " / ".join(f"{v:.1f}" for v in os.getloadavg())
    report["nice"] = os.nice(0)
    path.write_text(json.dumps(report, ensure_ascii=False, indent=1), encoding="utf-8")
    print(f"raw results: {path}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--conversations", type=int, default=10_000)
    parser.add_argument("--messages", type=int, default=200_000)
    parser.add_argument("--seed", type=int, default=14)
    parser.add_argument("--warmup", type=int, default=10, help="unmeasured rounds first")
    parser.add_argument("--rounds", type=int, default=200, help="measured rounds at most")
    parser.add_argument("--budget", type=float, default=90.0, help="seconds of measuring per backend at most")
    parser.add_argument("--live", type=int, default=30, help="messages per live series (0: skip)")
    parser.add_argument("--profile", action="append", default=[], help="scenario key to profile (cProfile)")
    parser.add_argument("--profile-sort", default="cumulative", help="pstats order: cumulative, tottime…")
    parser.add_argument(
        "--explain", action="append", default=[], help="scenario key whose SELECTs to EXPLAIN"
    )
    parser.add_argument(
        "--only", action="append", default=[], help="measure these scenario keys (and the baselines)"
    )
    parser.add_argument(
        "--json",
        type=Path,
        default=Path(tempfile.gettempdir()) / "carinho_inbox_bench.json",
        help="the raw results, written after each part (default: %(default)s)",
    )
    parser.add_argument(
        "--from-json",
        type=Path,
        help="take the figures from an earlier --json (the live ones too with --live 0)",
    )
    parser.add_argument("--write", action="store_true", help="write the section of docs/benchmarks.md")
    args = parser.parse_args()
    report: dict[str, Any] = {"args": {"warmup": args.warmup, "live": args.live}, "live": None}
    if args.from_json:
        earlier = json.loads(args.from_json.read_text(encoding="utf-8"))
        report.update(results=earlier["results"], args=earlier["args"], at=earlier["at"])
        report.update(load_average=earlier["load_average"], nice=earlier.get("nice", 0))
        report.update(live=earlier.get("live"))
    else:
        backends = [b.strip() for b in args.backends.split(",") if b.strip()]
        report["results"] = [asyncio.run(measure_backend(b, args)) for b in backends]
    if not args.from_json:
        stamp(report, args.json)
    if args.live:
        from bench.inbox_live import measure_live

        report["live"] = measure_live(args.live)
        report["args"]["live"] = args.live
        stamp(report, args.json)
    results, live = report["results"], report["live"]
    for r in results:
        for key, text in r["profiles"].items():
            print(f"\n===== profile {r['backend']} {key}\n{text}")
        for key, plans in r["plans"].items():
            for item in plans:
                print(f"\n===== plan {r['backend']} {key}\n{item['sql']}\n" + "\n".join(item["plan"]))
    for r in results:
        print(f"\n{r['backend']}:\n{server_table(r)}")
    print(load_table(results))
    print(live_table(live))
    if args.write:
        write_section(section(report))


if __name__ == "__main__":
    main()
