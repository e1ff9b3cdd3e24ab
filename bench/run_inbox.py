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
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
from sqlalchemy import event

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "src"))

from bench.atendimento_data import DataSet, Login, build, temporary_database  # noqa: E402
from carinho.config import Settings  # noqa: E402
from carinho.kit.clock import utcnow  # noqa: E402
from carinho.kit.ui.formatting import LOCAL_TZ  # noqa: E402
from carinho.logging import configure_logging  # noqa: E402
from carinho.runtime import Runtime  # noqa: E402

DOC = ROOT / "docs" / "benchmarks.md"
SECTION = "## Atendimento workspace (issue 14)"
STATIC = re.compile(r'(?:href|src)="(/static/[^"]+)"')
INBOX_TARGET_MS = 50.0
CONVERSATION_TARGET_MS = 80.0
FIRST_LOAD_TARGET_KB = 150.0
LIVE_TARGET_MS = 1000.0
SUPERVISION_TARGET_MS = 100.0
REPORT_TARGET_MS = 300.0


@dataclass
class Scenario:
    key: str
    label: str
    who: str  # "attendant" or "supervisor"
    url: str
    kind: str  # "inbox", "fragment", "conversation", "baseline"
    baseline: str | None = None  # key of the scenario it is compared with
    htmx: bool = False
    timings: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)
    statements: int = 0
    size: int = 0
    sql: list[tuple[str, Any]] = field(default_factory=list)


def scenarios(data: DataSet) -> list[Scenario]:
    """What is measured. Baselines first; each page names the baseline it is divided by."""
    name, phone, word = (quote(data.terms[k]) for k in ("name", "phone", "message"))
    long_id = data.long_conversation_id
    today_local = utcnow().astimezone(LOCAL_TZ).date()
    today, ninety_days_ago = today_local.isoformat(), (today_local - timedelta(days=89)).isoformat()
    return [
        Scenario(
            "api_att",
            "API: GET /api/conversations?limit=50",
            "attendant",
            "/api/conversations?limit=50",
            "baseline",
        ),
        Scenario(
            "api_sup",
            "API: GET /api/conversations?limit=50",
            "supervisor",
            "/api/conversations?limit=50",
            "baseline",
        ),
        Scenario(
            "api_msgs",
            "API: GET /api/conversations/{id}/messages (1,000)",
            "attendant",
            f"/api/conversations/{long_id}/messages",
            "baseline",
        ),
        Scenario(
            "plain", "plain page of the same layout (/conta/senha)", "attendant", "/conta/senha", "baseline"
        ),
        Scenario("att_mine", "inbox, minhas", "attendant", "/conversas?aba=minhas", "inbox", "api_att"),
        Scenario(
            "att_queue",
            "inbox, não atribuídas",
            "attendant",
            "/conversas?aba=nao-atribuidas",
            "inbox",
            "api_att",
        ),
        Scenario("att_all", "inbox, todas (the default view)", "attendant", "/conversas", "inbox", "api_att"),
        Scenario(
            "att_search",
            f"inbox, todas, search “{data.terms['name']}”",
            "attendant",
            f"/conversas?aba=todas&busca={name}",
            "inbox",
            "api_att",
        ),
        Scenario("sup_all", "inbox, todas", "supervisor", "/conversas?aba=todas", "inbox", "api_sup"),
        Scenario(
            "sup_all_any",
            "inbox, todas, every status (10,000)",
            "supervisor",
            "/conversas?aba=todas&status=todas",
            "inbox",
            "api_sup",
        ),
        Scenario(
            "sup_queue",
            "inbox, não atribuídas",
            "supervisor",
            "/conversas?aba=nao-atribuidas",
            "inbox",
            "api_sup",
        ),
        Scenario(
            "sup_search_active",
            f"inbox, todas, search “{data.terms['name']}”",
            "supervisor",
            f"/conversas?aba=todas&busca={name}",
            "inbox",
            "api_sup",
        ),
        Scenario(
            "sup_search",
            f"inbox, todas, every status, search “{data.terms['name']}”",
            "supervisor",
            f"/conversas?aba=todas&status=todas&busca={name}",
            "inbox",
            "api_sup",
        ),
        Scenario(
            "sup_search_phone",
            "inbox, todas, every status, search phone digits",
            "supervisor",
            f"/conversas?aba=todas&status=todas&busca={phone}",
            "inbox",
            "api_sup",
        ),
        Scenario(
            "sup_search_text",
            f"inbox, todas, every status, search “{data.terms['message']}”",
            "supervisor",
            f"/conversas?aba=todas&status=todas&busca={word}",
            "inbox",
            "api_sup",
        ),
        Scenario(
            "att_fragment",
            "fragment refresh, minhas",
            "attendant",
            "/conversas/lista?aba=minhas",
            "fragment",
            "api_att",
            htmx=True,
        ),
        Scenario(
            "sup_fragment",
            "fragment refresh, todas",
            "supervisor",
            "/conversas/lista?aba=todas",
            "fragment",
            "api_sup",
            htmx=True,
        ),
        Scenario(
            "att_long",
            "conversation with 1,000 messages",
            "attendant",
            f"/conversas/{long_id}",
            "conversation",
            "api_msgs",
        ),
        Scenario(
            "att_typical",
            "conversation with a median history",
            "attendant",
            f"/conversas/{data.typical_conversation_id}",
            "conversation",
            "api_msgs",
        ),
        Scenario(
            "att_long_thread",
            "thread refresh, 1,000 messages",
            "attendant",
            f"/conversas/{long_id}/mensagens",
            "conversation_fragment",
            "api_msgs",
            htmx=True,
        ),
        Scenario(
            "att_panel",
            "side panel refresh (median conversation)",
            "attendant",
            f"/conversas/{data.typical_conversation_id}/painel",
            "conversation_fragment",
            "api_msgs",
            htmx=True,
        ),
        Scenario(
            "sup_long",
            "conversation with 1,000 messages",
            "supervisor",
            f"/conversas/{long_id}",
            "conversation",
            "api_msgs",
        ),
        # The supervisor's screens (issue 17): measured with `--only sup_dash --only sup_sla ...`.
        Scenario("sup_dash", "Dashboard em tempo real", "supervisor", "/supervisao/dashboard", "supervision"),
        Scenario(
            "sup_dash_live",
            "dashboard, the live refresh (fragment)",
            "supervisor",
            "/supervisao/dashboard/dados",
            "supervision",
            htmx=True,
        ),
        Scenario(
            "sup_sla", "Painel de SLA (now + 30-day report)", "supervisor", "/supervisao/sla", "supervision"
        ),
        Scenario(
            "sup_sla_live",
            "SLA panel, the live refresh (fragment)",
            "supervisor",
            "/supervisao/sla/agora",
            "supervision",
            htmx=True,
        ),
        Scenario(
            "sup_sla_90d",
            "SLA report, 90 days per day and agent (fragment)",
            "supervisor",
            f"/supervisao/sla/relatorio?de={ninety_days_ago}&ate={today}&por=dia&grupo=atendente",
            "report",
            htmx=True,
        ),
    ]


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


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, round(q * len(ordered) + 0.5) - 1))]


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


async def explain(rt: Runtime, statement: str, parameters: Any) -> list[str]:
    database = rt.db("atendimento")
    async with database.engine.connect() as conn:
        if database.backend == "sqlite":
            rows = await conn.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters)
            return [f"{'  ' * 0}{row[-1]}" for row in rows]
        rows = await conn.exec_driver_sql("EXPLAIN (ANALYZE, BUFFERS) " + statement, parameters)
        return [row[0] for row in rows]


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
    gc.collect()
    gc.freeze()  # as the app's lifespan does at startup (kit/app.py)
    for _ in range(args.warmup):
        for scenario in plan:
            await fetch(clients[scenario.who], scenario)
    deadline = time.perf_counter() + args.budget
    rounds = 0
    while rounds < args.rounds and (rounds < 20 or time.perf_counter() < deadline):
        for scenario in plan:
            started, cpu = time.perf_counter(), time.process_time()
            await fetch(clients[scenario.who], scenario)
            scenario.timings.append((time.perf_counter() - started) * 1000)
            scenario.cpu.append((time.process_time() - cpu) * 1000)
        rounds += 1
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
    plans = {}
    for key in args.explain:
        scenario = next(s for s in plan if s.key == key)
        plans[key] = [
            {"sql": sql, "plan": await explain(rt, sql, params)}
            for sql, params in scenario.sql
            if sql.lstrip().upper().startswith(("SELECT", "WITH"))
        ]
    gc.unfreeze()
    for client in clients.values():
        await client.aclose()
    await rt.db("atendimento").dispose()
    await rt.db("integracoes").dispose()
    return {
        "rounds": rounds,
        "first_load": loads,
        "scenarios": [
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
        ],
        "profiles": profiles,
        "plans": plans,
    }


# ---------------------------------------------------------------------------------------- report


def target_for(kind: str) -> float | None:
    return {
        "supervision": SUPERVISION_TARGET_MS,
        "report": REPORT_TARGET_MS,
        "inbox": INBOX_TARGET_MS,
        "fragment": INBOX_TARGET_MS,
        "conversation": CONVERSATION_TARGET_MS,
        "conversation_fragment": CONVERSATION_TARGET_MS,
    }.get(kind)


def server_table(result: dict[str, Any]) -> str:
    by_key = {s["key"]: s for s in result["scenarios"]}
    lines = [
        "| scenario | who | p50 | p95 | CPU p50 | SQL statements | bytes | p50 × baseline | target p95 |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for s in result["scenarios"]:
        base = by_key.get(s["baseline"] or "")
        ratio = f"×{s['p50_ms'] / base['p50_ms']:.1f} ({base['key']})" if base else "—"
        target = target_for(s["kind"])
        met = f"≤ {target:g} ms {'✓' if s['p95_ms'] <= target else '✗'}" if target is not None else ""
        who = "atendente N1" if s["who"] == "attendant" else "supervisora"
        label = f"`{s['key']}` " + (s["label"] if s["kind"] != "baseline" else f"*baseline:* {s['label']}")
        lines.append(
            f"| {label} | {who} | {s['p50_ms']} ms | {s['p95_ms']} ms | {s['cpu_p50_ms']} ms"
            f" | {s['statements']} | {s['bytes']:,} | {ratio} | {met} |"
        )
    return "\n".join(lines)


def load_table(results: list[dict[str, Any]]) -> str:
    loads = results[0]["first_load"]
    html = loads["html"]
    rows = [f"| HTML of `/conversas` (attendant, default view) | {html['bytes']:,} | {html['gzip']:,} |"]
    for name, size in loads["files"].items():
        rows.append(f"| `{name}` | {size['bytes']:,} | {size['gzip']:,} |")
    ok = loads["own_total"] / 1024 <= FIRST_LOAD_TARGET_KB
    rows.append(
        f"| **first load without htmx** (HTML + own CSS + own JS) | **{loads['own_total']:,}** "
        f"({loads['own_total'] / 1024:.1f} KB, target ≤ {FIRST_LOAD_TARGET_KB:g} KB {'✓' if ok else '✗'}) "
        f"| {loads['own_total_gzip']:,} |"
    )
    rows.append(f"| htmx (aside) | {loads['vendor_total']:,} | {loads['vendor_total_gzip']:,} |")
    return (
        "| what | bytes on the wire | gzip -6 of the body (for information) |\n|---|---|---|\n"
        + "\n".join(rows)
    )


def live_table(live: dict[str, Any] | None) -> str:
    if not live:
        return "(not measured in this run: `--live 0`)"
    rows = []

    def p50(values: list[float]) -> str:
        return f"{statistics.median(values):.0f} ms" if values else "—"

    for series in live["series"].values():
        values = series["latencies_ms"]
        ok = percentile(values, 0.95) <= LIVE_TARGET_MS
        rows.append(
            f"| {series['label']} | {len(values)} | {statistics.median(values):.0f} ms "
            f"| {percentile(values, 0.95):.0f} ms | {max(values):.0f} ms | ≤ 1 s {'✓' if ok else '✗'} "
            f"| {p50(series.get('hub_stored_ms', []))} | {p50(series.get('before_forward_ms', []))} "
            f"| {p50(series.get('forward_ms', []))} | {p50(series['shown_after_stored_ms'])} |"
        )
    return (
        "| series | messages | p50 | p95 | max | target p95 | p50 of the legs: posted → stored by the hub "
        "| hub stored → forward starts (queue, CRM steps) | forward to atendimento (its webhook) "
        "| stored by atendimento → shown |\n|---|---|---|---|---|---|---|---|---|---|\n" + "\n".join(rows)
    )


TEMPLATE = """{section}

What is measured, on SQLite and on PostgreSQL, with the data set below:

- **Server time** of the workspace's pages: each request goes in-process over ASGI
  (`httpx.ASGITransport`: the whole app, its middleware and the database, no socket) with the
  session cookie of an attendant (N1) or a supervisor logged in through `/entrar`. After {warmup}
  unmeasured rounds, every scenario is requested once per round, interleaved, so a busy machine
  slows all of them alike; p50/p95 are over those requests. *CPU p50* is the
  benchmark process's CPU time per request (the app and the driver's thread; PostgreSQL's own work
  is outside it). *SQL statements* are counted by a SQLAlchemy `before_cursor_execute` listener on
  the second request of each scenario (caches warm). Baselines, in the same rounds: the JSON API
  over the same data for the same person (`GET /api/conversations?limit=50`;
  `GET /api/conversations/{{id}}/messages` for the conversation with 1,000 messages) and a plain
  page of the same layout and session check (`/conta/senha`). The planner's statistics:
  PostgreSQL's gathered after the load (`ANALYZE`, which autovacuum does within a minute);
  SQLite's none, as in production (nothing runs `ANALYZE` there).
- **First load**: the bytes on the wire of the inbox's HTML (`/conversas`, the attendant's default
  view, as rendered) and of the CSS and JavaScript it references, asked for with
  `Accept-Encoding: gzip` as a browser does (the app gzips its static files). htmx is listed apart,
  as the issue asks; what gzip -6 makes of each body is shown for information.
- **Live**: `carinho up` started by the browser-test harness (`carinho.kit.ui.testing`: free ports,
  fresh data dir, its clock on a business morning), an attendant created through the API and
  logged in through the login page of headless Chromium (`/usr/bin/chromium`, Playwright).
  Messages are posted from the sandbox phone one at a time ({live_count} per series after 2
  unmeasured ones, 1 s apart); each latency runs from just before the post (Python's
  `time.time()`) to the moment a `MutationObserver` in the page first finds the text in a visible
  element (`Date.now()`, same machine). The way: sandbox phone → hub webhook → the hub's outbox and
  worker → atendimento's webhook → `live_changes` → the SSE poller (every 250 ms) → `carinho-live`
  on `<body>` → htmx fetches the fragment → swap. The legs come from the hub's event (its
  `created_at`, the `atendimento.forward_whatsapp` step's start and end) and the message's
  `created_at` in atendimento, read through the APIs after the run (brought back from the
  platform's shifted clock).

Reproduce (~{minutes} minutes; bounded: fixed data set, at most `--rounds` rounds or `--budget`
seconds of measuring per backend, `--live` messages per series; temporary directories, and a
PostgreSQL database of its own on 127.0.0.1:5432, trust auth, dropped at the end):

```
uv run python bench/run_inbox.py --write                # --backends sqlite,postgresql --live 30
nice -n -10 uv run python bench/run_inbox.py --budget 150 --write       # the run below (as root)
uv run python bench/run_inbox.py --backends sqlite --live 0 --profile att_mine --explain att_mine
uv run python bench/run_inbox.py --from-json /tmp/carinho_inbox_bench.json --live 0 --write
```

The third line profiles a scenario (cProfile) and prints the plans of its statements
(`EXPLAIN QUERY PLAN`; `EXPLAIN (ANALYZE, BUFFERS)` on PostgreSQL); the last rewrites this
section from the raw results of a run.

The data set is `bench/atendimento_data.py` (reusable: `await build(url)`), bulk-loaded with Core
inserts into a migrated database: {conversations:,} conversations over 90 days ({active:,}
active), {messages:,} messages in Portuguese (texts, media, automatic and template messages,
internal notes; {failed:,} failed sends with their reason), {contacts:,} contacts, {agents} agents
(N1/N2/N3, supervisors, an administrator), {labels:,} labels on conversations, SLA states with
{targets:,} targets and {breaches:,} breaches, {transitions:,} funnel moves, {escalations:,}
escalations, {triage:,} triage sessions, {history:,} audit entries. Loaded in {loads}.

### Results ({at})

Machine: 2 vCPUs shared with other work (load average at the end: {load_average}){niceness};
Python 3.11. Rounds measured: {rounds}.

{tables}

First load of the inbox:

{load}

From the webhook to the browser (`carinho up`, embedded SQLite, headless Chromium):

{live}
"""


def section(report: dict[str, Any]) -> str:
    results = report["results"]
    counts = results[0]["data"]
    name = {"sqlite": "SQLite (aiosqlite)", "postgresql": "PostgreSQL 15 (asyncpg)"}
    tables = "\n\n".join(f"**{name.get(r['backend'], r['backend'])}**:\n\n{server_table(r)}" for r in results)
    return TEMPLATE.format(
        section=SECTION,
        warmup=report["args"]["warmup"],
        rounds=", ".join(f"{r['rounds']} on {r['backend']}" for r in results),
        live_count=report["args"]["live"],
        minutes=15,
        conversations=counts["conversations"],
        active=counts["active_conversations"],
        messages=counts["messages"],
        failed=counts["failed_sends"],
        contacts=counts["contacts"],
        agents=counts["agents"] + 2,
        labels=counts["conversation_labels"],
        targets=counts["sla_targets"],
        breaches=counts["sla_breaches"],
        transitions=counts["funnel_transitions"],
        escalations=counts["escalations"],
        triage=counts["triage_sessions"],
        history=counts["history_entries"],
        loads=", ".join(f"{r['load_seconds']} s ({r['backend']})" for r in results),
        at=report["at"],
        load_average=report["load_average"],
        niceness=(
            f"; the benchmark and the platform it starts at nice {report['nice']} (PostgreSQL's server at 0)"
            if report.get("nice")
            else ""
        ),
        tables=tables,
        load=load_table(results),
        live=live_table(report["live"]),
    )


FINDINGS = "\n### Findings"


def write_section(markdown: str) -> None:
    """Replace the generated part of the section; a hand-written `### Findings` part is kept."""
    text = DOC.read_text(encoding="utf-8")
    pattern = re.compile(re.escape(SECTION) + r".*?(?=^## |\Z)", re.S | re.M)
    found = pattern.search(text)
    if found:
        old = found.group(0)
        kept = old[old.index(FINDINGS) :].rstrip("\n") + "\n" if FINDINGS in old else ""
        new = markdown.rstrip("\n") + "\n" + kept + "\n"
        text = text[: found.start()] + new + text[found.end() :]
    else:
        text = text.rstrip("\n") + "\n\n" + markdown.rstrip("\n") + "\n"
    DOC.write_text(text, encoding="utf-8")


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
