"""Inbound never waits behind outbound (issue 18), for bench/run_e2e.py (`--held N`).

Z-API's send limit stays at its default (60/min, `--zapi-rate`): a burst of N first contacts is
posted, each of which owes a welcome that the limit paces — a delayed outbox row due at its slot,
no worker held. Once the burst is in the CRM and in atendimento (its inbound work done), the welcomes
are still waiting; then single new inbound WhatsApp messages ("probes", from new numbers) are posted
one at a time and timed webhook → CRM and → atendimento. The same probes before the burst, on the
idle platform, are the baseline of the same run.

Then the limit itself, from the simulated Z-API's records: the most sends in any 60 s window (must
not exceed the limit) and the sends of each whole minute since the first (should equal it while
welcomes wait).
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bench.run_e2e import Bench

INBOUND = ("crm", "atendimento")
WINDOW = 60.0


def sends_per_window(times: list[float], since: float) -> dict[str, Any]:
    """How the sends after `since` sit against a per-minute limit."""
    times = sorted(t for t in times if t >= since)
    if not times:
        return {"sends": 0}
    most, j = 0, 0
    for i, start in enumerate(times):
        while j < len(times) and times[j] < start + WINDOW:
            j += 1
        most = max(most, j - i)
    first = times[0]
    whole = int((times[-1] - first) // WINDOW)
    per_minute = [
        sum(1 for t in times if first + m * WINDOW <= t < first + (m + 1) * WINDOW) for m in range(whole)
    ]
    return {
        "sends": len(times),
        "observed_s": round(times[-1] - first, 1),
        "max_in_any_60s": most,
        "per_whole_minute": per_minute,
    }


def held(bench: Bench, count: int, probes: int) -> dict[str, Any]:
    records, args = bench.records, bench.args
    baseline = bench.one_at_a_time("whatsapp", probes, INBOUND)
    started = time.time()
    numbers = bench.numbers(count)
    sent, answered = bench.open_loop(numbers, args.burst_rate)
    bench.wait_for("whatsapp", numbers, INBOUND, poll=0.5)
    inbound = bench.latencies("whatsapp", sent, INBOUND)
    inbound_done_s = round(time.time() - started, 1)
    greeted = set(records.phone_messages())
    waiting = sum(1 for n in numbers if bench.key("whatsapp", n, "phone") not in greeted)
    outbox_before = records.hub_counts()["outbox_not_done"]
    under_load = bench.one_at_a_time("whatsapp", probes, INBOUND)
    greeted = set(records.phone_messages())
    return {
        "count": count,
        "zapi_rate_per_min": args.zapi_rate,
        "ingest": answered,
        "burst_inbound": inbound,
        "burst_inbound_done_after_s": inbound_done_s,
        "welcomes_waiting_when_probed": waiting,
        "welcomes_waiting_after_probes": sum(
            1 for n in numbers if bench.key("whatsapp", n, "phone") not in greeted
        ),
        "hub_outbox_not_done_when_probed": outbox_before,
        "probes_idle": baseline,
        "probes_held": under_load,
        "zapi_sends": sends_per_window([at for at, _ in records.zapi_sends()], 0.0),  # every send counts
    }


def held_markdown(label: str, result: dict[str, Any]) -> str:
    def cell(figures: dict[str, Any]) -> str:
        reached = f"({figures['reached']} of {figures['of']})"
        return f"{figures['p50_ms']} / {figures['p95_ms']} / {figures['p99_ms']} {reached}"

    sends = result["zapi_sends"]
    machine = result.get("machine", {})
    return "\n".join(
        [
            f"**{label}**: a burst of {result['count']} first contacts at Z-API's "
            f"{result['zapi_rate_per_min']}/min; "
            f"its inbound work done after {result['burst_inbound_done_after_s']} s; probes sent while "
            f"{result['welcomes_waiting_when_probed']} welcomes waited (hub outbox rows not done: "
            f"{result['hub_outbox_not_done_when_probed']}). Load {machine.get('load_1min_before')} → "
            f"{machine.get('load_1min_after')}.",
            "",
            "| probe, one at a time (p50 / p95 / p99 ms from the webhook) | → CRM | → atendimento |",
            "|---|---|---|",
            f"| idle platform, before the burst | {cell(result['probes_idle']['crm'])} "
            f"| {cell(result['probes_idle']['atendimento'])} |",
            f"| while the welcomes wait | {cell(result['probes_held']['crm'])} "
            f"| {cell(result['probes_held']['atendimento'])} |",
            "",
            f"Z-API sends (all, probes included): {sends.get('sends')} over {sends.get('observed_s')} s, "
            "at most "
            f"{sends.get('max_in_any_60s')} in any 60 s window; per whole minute: "
            f"{sends.get('per_whole_minute')}.",
        ]
    )
