"""The workspace benchmark's section of docs/benchmarks.md: its tables, text and targets,
written from a run's results."""

from __future__ import annotations

import re
import statistics
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "benchmarks.md"
SECTION = "## Atendimento workspace (issue 14)"
INBOX_TARGET_MS = 50.0
CONVERSATION_TARGET_MS = 80.0
FIRST_LOAD_TARGET_KB = 150.0
LIVE_TARGET_MS = 1000.0
SUPERVISION_TARGET_MS = 100.0
REPORT_TARGET_MS = 300.0


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, round(q * len(ordered) + 0.5) - 1))]


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


def write_section(markdown: str, title: str = SECTION) -> None:
    """Replace the generated part of the section `title`; a hand-written `### Findings` part is kept."""
    text = DOC.read_text(encoding="utf-8")
    pattern = re.compile(re.escape(title) + r".*?(?=^## |\Z)", re.S | re.M)
    found = pattern.search(text)
    if found:
        old = found.group(0)
        kept = old[old.index(FINDINGS) :].rstrip("\n") + "\n" if FINDINGS in old else ""
        new = markdown.rstrip("\n") + "\n" + kept + "\n"
        text = text[: found.start()] + new + text[found.end() :]
    else:
        text = text.rstrip("\n") + "\n\n" + markdown.rstrip("\n") + "\n"
    DOC.write_text(text, encoding="utf-8")
