"""Supervisor screens benchmark (issue 17): the Dashboard em tempo real and the Painel de SLA (pages
and their live refresh fragments), and the 90-day reports (SLA series, Satisfação, Funil) over the
workspace's data set with 90 days of surveys, on SQLite and PostgreSQL; and the delay from a
WhatsApp message to the dashboard's SSE `change` event under `carinho up`.

    uv run python bench/run_supervision.py --write    # ~5-8 minutes (data set cached after the first)

Server time: as bench/run_inbox.py (its helpers and scenarios): in-process ASGI requests with the
logged-in session cookie of a supervisor, after warm-up, in interleaved rounds, p50/p95 beside
the plain page of the same layout (`/conta/senha`) as a baseline; SQL statements per request
counted on the second request; the hourly message roll-up run first, as the worker does in
production. The data set: bench/atendimento_data.py with `surveys=True`, cached between runs by
bench/dataset_cache.py (`--rebuild` builds it anew; `--cache-dir`).

Live: bench/supervision_live.py. Bounded: cached data set, at most --rounds rounds or --budget
seconds per backend, --live messages; temporary copies of the databases, dropped at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import gc
import io
import json
import pstats
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from sqlalchemy import event

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "src"))

from bench.atendimento_data import DataSet  # noqa: E402
from bench.dataset_cache import cached_data_set  # noqa: E402
from bench.inbox_scenarios import Scenario, scenarios  # noqa: E402
from bench.run_inbox import (  # noqa: E402
    SqlCounter,
    fetch,
    login,
    query_plans,
    scenario_results,
    settings_for,
    stamp,
    timed_rounds,
)
from bench.supervision_report import print_report, write_report  # noqa: E402
from carinho.logging import configure_logging  # noqa: E402
from carinho.runtime import Runtime  # noqa: E402

KINDS = ("supervision", "report")
BASELINE = "plain"


def plan_for(data: DataSet, only: list[str]) -> list[Scenario]:
    plan = [s for s in scenarios(data) if s.kind in KINDS and (not only or s.key in only)]
    for s in plan:
        s.baseline = BASELINE
    baseline = next(s for s in scenarios(data) if s.key == BASELINE)
    baseline.who = "supervisor"
    return [baseline, *plan]


async def measure_backend(backend: str, args: argparse.Namespace) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="carinho_supervision_bench_") as workdir:
        started = time.perf_counter()
        async with cached_data_set(
            backend,
            workdir,
            args.cache_dir,
            rebuild=args.rebuild,
            conversations=args.conversations,
            messages=args.messages,
            seed=args.seed,
            surveys=True,
        ) as data:
            ready = time.perf_counter() - started
            print(f"[{backend}] ready in {ready:.1f} s: {data.counts}", flush=True)
            result = await measure(data, workdir, args)
    return {
        "backend": backend,
        "data": data.counts,
        "load_seconds": round(data.seconds, 1),
        "ready_seconds": round(ready, 1),
        **result,
    }


async def measure(data: DataSet, workdir: str, args: argparse.Namespace) -> dict[str, Any]:
    from carinho.atendimento.app import create_app
    from carinho.atendimento.metrics.service import metrics_service

    settings = settings_for(data.url, workdir)
    configure_logging(settings.carinho_log_level)
    rt = Runtime(settings)
    app = create_app(rt)
    client = await login(app, data.supervisor)
    counter = SqlCounter()
    event.listen(rt.db("atendimento").engine.sync_engine, "before_cursor_execute", counter)
    async with rt.db("atendimento").session() as session:  # as the worker's hourly job has
        await metrics_service.roll_up_message_hours(session)
        await session.commit()
    plan = plan_for(data, args.only)
    for scenario in plan:
        answer = await fetch(client, scenario)
        if answer.status_code != 200:
            raise RuntimeError(f"{scenario.key} {scenario.url}: {answer.status_code} {answer.text[:500]}")
        counter.count, counter.keep, counter.kept = 0, True, []
        await fetch(client, scenario)
        scenario.statements, scenario.size, scenario.sql = counter.count, len(answer.content), counter.kept
        counter.keep = False
    rounds = await timed_rounds(plan, lambda _scenario: client, args)
    profiles = {}
    for key in args.profile:
        scenario = next(s for s in plan if s.key == key)
        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(10):
            await fetch(client, scenario)
        profiler.disable()
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats(args.profile_sort).print_stats(40)
        profiles[key] = out.getvalue()
    plans = await query_plans(rt, plan, args.explain)
    gc.unfreeze()
    await client.aclose()
    await rt.db("atendimento").dispose()
    await rt.db("integracoes").dispose()
    return {
        "rounds": rounds,
        "scenarios": scenario_results(plan),
        "plans": plans,
        "profiles": profiles,
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--conversations", type=int, default=10_000)
    parser.add_argument("--messages", type=int, default=200_000)
    parser.add_argument("--seed", type=int, default=14)
    parser.add_argument("--warmup", type=int, default=5, help="unmeasured rounds first")
    parser.add_argument("--rounds", type=int, default=200, help="measured rounds at most")
    parser.add_argument("--budget", type=float, default=90.0, help="seconds of measuring per backend at most")
    parser.add_argument("--live", type=int, default=20, help="messages of the live series (0: skip)")
    parser.add_argument(
        "--explain", action="append", default=[], help="scenario key whose SELECTs to EXPLAIN"
    )
    parser.add_argument("--profile", action="append", default=[], help="scenario key to profile (cProfile)")
    parser.add_argument("--profile-sort", default="cumulative", help="pstats order: cumulative, tottime…")
    parser.add_argument("--only", action="append", default=[], help="measure these scenario keys only")
    parser.add_argument("--cache-dir", type=Path, default=Path(tempfile.gettempdir()) / "carinho_bench_cache")
    parser.add_argument("--rebuild", action="store_true", help="build the cached data set anew")
    parser.add_argument(
        "--json", type=Path, default=Path(tempfile.gettempdir()) / "carinho_supervision_bench.json"
    )
    parser.add_argument("--from-json", type=Path, help="take the figures from an earlier --json")
    parser.add_argument("--write", action="store_true", help="write the section of docs/benchmarks.md")
    args = parser.parse_args()
    report: dict[str, Any] = {"args": {"warmup": args.warmup, "live": args.live}, "live": None}
    if args.from_json:
        report = json.loads(args.from_json.read_text(encoding="utf-8"))
    else:
        backends = [b.strip() for b in args.backends.split(",") if b.strip()]
        report["results"] = [asyncio.run(measure_backend(b, args)) for b in backends]
        stamp(report, args.json)
        if args.live:
            from bench.supervision_live import measure_live

            report["live"] = measure_live(args.live)
            stamp(report, args.json)
    print_report(report)
    if args.write:
        write_report(report)


if __name__ == "__main__":
    main()
