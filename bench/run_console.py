"""Hub console benchmark (issue 16): the operator's pages over 1,000,000 events, ~3,000,000 steps and
100,000 DLQ entries, on SQLite and on PostgreSQL; and what an open console costs the ingest.

    uv run python bench/run_console.py --data-dir /var/tmp/carinho-console-bench --write

The data set (bench/console_data.py) is built once per backend and kept: a SQLite file in
--data-dir, the PostgreSQL database `bench_console` (127.0.0.1:5432, trust auth); a later run with
the same size reuses both (minutes to build, seconds to reuse).

Server time: each page is requested in-process over ASGI (httpx.ASGITransport) with the session
cookie of an operator (role viewer) logged in through `/entrar`, the platform's clock set to the
instant the data set was built (its last hour and day are the busy ones), after warm-up, in
interleaved rounds; p50/p95 per page, with the SQL statements per request. `--explain KEY` prints
the plans of a scenario's SELECTs.

Ingest: bench/run_ingest.py's saturation run (wrk, 64 connections, durable `/webhooks/site/lead`
on `carinho serve integracoes`, embedded SQLite) alternately without and with consoles open — a
client logged in that keeps the overview open as the page does (its live stream, a refresh per
change, at most every 5 s) — in the same run; the ratio of the throughputs. Bounded: fixed
durations, 127.0.0.1 only, a temporary data dir.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import sys
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
from sqlalchemy import event, text

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "src"))

from bench.console_data import ConsoleData, prepare  # noqa: E402
from bench.console_report import console_table, section  # noqa: E402
from bench.console_rows import SESSION_SECRET  # noqa: E402
from bench.inbox_report import write_section  # noqa: E402
from bench.inbox_scenarios import Scenario  # noqa: E402
from bench.run_inbox import (  # noqa: E402
    SqlCounter,
    fetch,
    query_plans,
    scenario_results,
    stamp,
    timed_rounds,
)
from carinho import runtime  # noqa: E402
from carinho.config import Settings  # noqa: E402
from carinho.kit import clock  # noqa: E402
from carinho.kit.ui.formatting import LOCAL_TZ  # noqa: E402
from carinho.logging import configure_logging  # noqa: E402

OPERATOR_EMAIL = "operador@carinho.bench"
SECTION_TITLE = "## Hub console (issue 16)"


def scenarios(data: ConsoleData) -> list[Scenario]:
    """What an operator opens, each with the query it stresses."""
    day = data.now.astimezone(LOCAL_TZ).date()
    start, end = (day - timedelta(days=37)).isoformat(), (day - timedelta(days=31)).isoformat()
    phone, key = quote(data.terms["phone"]), quote(data.terms["key"])
    return [
        Scenario("plain", "plain page of the same layout", "operator", "/conta/senha", "baseline"),
        Scenario("overview", "Visão geral", "operator", "/painel", "overview"),
        Scenario("overview_live", "Visão geral, the live refresh (fragment)", "operator", "/painel/atualizar",
                 "overview", htmx=True),
        Scenario("events", "Eventos, no filter", "operator", "/eventos", "search"),
        Scenario("events_type", "Eventos by type (payment.received, 4 %)", "operator",
                 "/eventos?tipo=payment.received", "search"),
        Scenario("events_status_period", "Eventos by status + period (dead, 7 days a month ago)", "operator",
                 f"/eventos?situacao=dead&de={start}&ate={end}", "search"),
        Scenario("events_key", "Eventos by idempotency key", "operator", f"/eventos?chave={key}", "search"),
        Scenario("events_phone", "Eventos by phone (keyed hash)", "operator", f"/eventos?contato={phone}",
                 "search"),
        Scenario("dlq", "DLQ, open items (the default list)", "operator", "/dlq", "search"),
        Scenario("dlq_all", "DLQ, every status", "operator", "/dlq?situacao=todas", "search"),
    ]  # fmt: skip


def settings_for(url: str, workdir: str) -> Settings:
    return Settings(
        _env_file=None,
        carinho_env="development",
        carinho_data_dir=Path(workdir),
        carinho_log_level="WARNING",
        integracoes_database_url=url,
        atendimento_database_url=f"sqlite+aiosqlite:///{workdir}/atendimento.sqlite3",
        session_secret=SESSION_SECRET,  # the key of the data set's contact hashes
        sandbox_enabled=False,
    )


async def operator_client(app: Any, rt: runtime.Runtime) -> httpx.AsyncClient:
    """A viewer operator (made anew each run) logged in through the login page."""
    from carinho.integracoes.operators.models import OperatorRole
    from carinho.integracoes.operators.service import operator_service

    async with rt.db("integracoes").session() as session:
        await session.execute(text("DELETE FROM operators WHERE email = :e"), {"e": OPERATOR_EMAIL})
        _, password = await operator_service.create(
            session, name="Operadora Bench", email=OPERATOR_EMAIL, role=OperatorRole.viewer
        )
        await session.commit()
    client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://integracoes.bench")
    answer = await client.post("/entrar", data={"email": OPERATOR_EMAIL, "password": password})
    if answer.status_code != 303:
        raise RuntimeError(f"login failed: {answer.status_code} {answer.text[:300]}")
    return client


async def measure_backend(backend: str, args: argparse.Namespace) -> dict[str, Any]:
    url, data = await prepare(backend, args.data_dir, events=args.events, dlq=args.dlq, seed=args.seed)
    print(
        f"[{backend}] data set ({data.seconds:.0f} s to build, built {data.built_at}): {data.counts}",
        flush=True,
    )
    with tempfile.TemporaryDirectory(prefix="carinho_console_bench_") as workdir:
        result = await measure(url, data, workdir, args)
    return {"backend": backend, "data": data.counts, "load_seconds": data.seconds, **result}


async def measure(url: str, data: ConsoleData, workdir: str, args: argparse.Namespace) -> dict[str, Any]:
    from carinho.integracoes.app import create_app

    settings = settings_for(url, workdir)
    configure_logging(settings.carinho_log_level)
    rt = runtime.configure(settings)
    clock.set_offset(data.now - datetime.now(UTC))  # "now" is when the data set was built
    try:
        app = create_app(rt)
        client = await operator_client(app, rt)
        counter = SqlCounter()
        event.listen(rt.db("integracoes").engine.sync_engine, "before_cursor_execute", counter)
        plan = [s for s in scenarios(data) if not args.only or s.key in args.only or s.kind == "baseline"]
        for scenario in plan:  # status and size, then the statements of a second (warm) request
            answer = await fetch(client, scenario)
            if answer.status_code != 200:
                raise RuntimeError(f"{scenario.key} {scenario.url}: {answer.status_code} {answer.text[:500]}")
            counter.count, counter.keep, counter.kept = 0, True, []
            await fetch(client, scenario)
            scenario.statements, scenario.size, scenario.sql = (
                counter.count,
                len(answer.content),
                counter.kept,
            )
            counter.keep = False
        rounds = await timed_rounds(plan, lambda _scenario: client, args)
        gc.unfreeze()
        plans = await query_plans(rt, plan, args.explain, "integracoes")
        await client.aclose()
    finally:
        clock.reset()
        await rt.db("integracoes").dispose()
        await rt.db("atendimento").dispose()
    return {
        "rounds": rounds,
        "scenarios": scenario_results(plan),
        "plans": plans,
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--data-dir", type=Path, required=True, help="where the data sets are kept")
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--dlq", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=16)
    parser.add_argument("--warmup", type=int, default=5, help="unmeasured rounds first")
    parser.add_argument("--rounds", type=int, default=200, help="measured rounds at most")
    parser.add_argument("--budget", type=float, default=60.0, help="seconds of measuring per backend at most")
    parser.add_argument(
        "--explain", action="append", default=[], help="scenario key whose SELECTs to EXPLAIN"
    )
    parser.add_argument("--only", action="append", default=[], help="measure these scenario keys (and plain)")
    parser.add_argument("--ingest-seconds", type=int, default=10, help="per saturation run (0: skip ingest)")
    parser.add_argument("--ingest-pairs", type=int, default=3, help="runs without and with a console")
    parser.add_argument("--consoles", type=int, default=1, help="consoles open in the 'with' runs")
    parser.add_argument(
        "--json", type=Path, default=Path(tempfile.gettempdir()) / "carinho_console_bench.json"
    )
    parser.add_argument(
        "--from-json",
        type=Path,
        help="the pages' figures of an earlier --json (its ingest too, if it has one)",
    )
    parser.add_argument("--write", action="store_true", help="write the section of docs/benchmarks.md")
    args = parser.parse_args()
    if args.from_json:
        report = json.loads(args.from_json.read_text(encoding="utf-8"))
    else:
        report = {"args": {"warmup": args.warmup, "consoles": args.consoles}, "ingest": None}
        backends = [b.strip() for b in args.backends.split(",") if b.strip()]
        report["results"] = [asyncio.run(measure_backend(b, args)) for b in backends]
        stamp(report, args.json)
    if args.ingest_seconds and not (args.from_json and report.get("ingest")):
        from bench.console_ingest import measure_ingest

        report.setdefault("pages_at", report.get("at"))
        report.setdefault("pages_load_average", report.get("load_average"))
        report["ingest"] = measure_ingest(args.ingest_seconds, args.ingest_pairs, args.consoles)
        report["args"]["consoles"] = args.consoles
        stamp(report, args.json)
    for r in report["results"]:
        for key, plans in r.get("plans", {}).items():
            for item in plans:
                print(f"\n===== plan {r['backend']} {key}\n{item['sql']}\n" + "\n".join(item["plan"]))
        print(f"\n{r['backend']}:\n{console_table(r)}")
    if report.get("ingest"):
        print(json.dumps(report["ingest"], indent=1))
    if args.write:
        write_section(section(report), SECTION_TITLE)


if __name__ == "__main__":
    main()
