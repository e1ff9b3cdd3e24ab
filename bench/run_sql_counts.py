"""SQL statements and commits per WhatsApp first contact, per context (hub, atendimento, sandbox)
and per code path: `carinho up` under bench/sql_counts.py, a few first contacts to warm it, then
`--contacts` first contacts one at a time (bench/run_e2e.py's), and the counts once everything that
follows them (the welcome, its status callbacks) has settled. The counts are exact; the process is
slowed by the counting, so no latency is reported here (run bench/run_e2e.py for those).

    uv run python bench/run_sql_counts.py --contacts 20 [--top 40]

Transactions are the BEGINs (every one a round trip to the database; on SQLite a write
transaction's BEGIN IMMEDIATE takes the write lock), commits those that ended in COMMIT (on SQLite
with synchronous=FULL, a write's commit is an fsync); the rest ended in a rollback.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.e2e_records import Records
from bench.run_e2e import HOST, Bench, Platform

_PERIODIC = re.compile(r"worker\.(relay|heartbeat|scheduler)\.|alerts\.service\.evaluate")


def settled(counts_file: Path, records: Records, quiet_seconds: float, deadline_s: float) -> dict[str, Any]:
    """The counts once the hub's outbox is empty and no statement ran for `quiet_seconds`."""
    deadline = time.monotonic() + deadline_s
    last: dict[str, Any] = {}
    quiet_since = time.monotonic()
    while time.monotonic() < deadline:
        time.sleep(0.5)
        now = json.loads(counts_file.read_text())
        busy = records.hub_counts()["outbox_not_done"] > 0
        if now["statements"] != last.get("statements") or busy:
            last, quiet_since = now, time.monotonic()
        elif time.monotonic() - quiet_since >= quiet_seconds:
            return now
    return last


def difference(after: dict[str, Any], before: dict[str, Any], key: str) -> Counter[str]:
    result = Counter(after[key])
    result.subtract(before[key])
    return +result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--contacts", type=int, default=20)
    parser.add_argument("--top", type=int, default=40, help="code paths listed")
    parser.add_argument("--quiet-seconds", type=float, default=3.0, help="idle periodic work: ignored")
    parser.add_argument("--settle-seconds", type=float, default=120.0)
    parser.add_argument("--port", type=int, default=18760)
    parser.add_argument("--zapi-rate", type=int, default=1_000_000)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="carinho-sql-") as tmp:
        counts_file = Path(tmp) / "sql-counts.json"
        platform = Platform(
            Path(tmp),
            args,
            module="bench.sql_counts",
            # One process: the counting listeners are installed in it (not in per-system children).
            env={"CARINHO_SQL_COUNTS": str(counts_file), "EMBEDDED_PROCESSES": "single"},
        )
        try:
            records = Records(Path(tmp), f"http://{HOST}:{platform.ports['sandbox']}")
            bench = Bench(platform, records, args)
            bench.one_at_a_time("whatsapp", 3)
            before = settled(counts_file, records, args.quiet_seconds, args.settle_seconds)
            bench.one_at_a_time("whatsapp", args.contacts)
            after = settled(counts_file, records, args.quiet_seconds, args.settle_seconds)
        finally:
            platform.stop()

    n = args.contacts
    statements = difference(after, before, "statements")
    commits = difference(after, before, "commits")
    transactions = difference(after, before, "transactions")
    paths = difference(after, before, "paths")
    per_contact = {
        context: {
            "statements": round(statements[context] / n, 1),
            "transactions": round(transactions[context] / n, 1),
            "commits": round(commits[context] / n, 1),
        }
        for context in sorted(statements)
    }
    per_contact["total"] = {
        "statements": round(sum(statements.values()) / n, 1),
        "transactions": round(sum(transactions.values()) / n, 1),
        "commits": round(sum(commits.values()) / n, 1),
    }
    # The relays, heartbeats and periodic checks tick on a clock, whatever the traffic: the same per
    # second, so per contact they depend on how long the run took. Shown apart.
    ticks = Counter({key: count for key, count in paths.items() if _PERIODIC.search(key)})
    for context in list(per_contact):
        mine = [
            (key, count)
            for key, count in ticks.items()
            if context == "total" or key.startswith(context + "|")
        ]
        figures = per_contact[context]
        figures["statements_without_ticks"] = round(
            figures["statements"] - sum(c for k, c in mine if k.split("|")[1] != "COMMIT") / n, 1
        )
        figures["commits_without_ticks"] = round(
            figures["commits"] - sum(c for k, c in mine if k.split("|")[1] == "COMMIT") / n, 1
        )
    print(json.dumps({"contacts": n, "per_contact": per_contact}))
    print(f"\nper first contact ({n} one at a time, after 3 to warm up):")
    for context, figures in per_contact.items():
        print(
            f"  {context:14} {figures['statements']:7.1f} statements {figures['transactions']:6.1f} "
            f"transactions {figures['commits']:6.1f} commits; without the clock's ticks "
            f"{figures['statements_without_ticks']:7.1f} statements "
            f"{figures['commits_without_ticks']:6.1f} commits"
        )
    print(f"\ntop {args.top} code paths (per contact; context | statement | our innermost frames):")
    for key, count in paths.most_common(args.top):
        print(f"  {count / n:6.2f}  {key}")


if __name__ == "__main__":
    main()
