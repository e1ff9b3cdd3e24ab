"""/metrics: the hub's gauges are read from its database at each scrape (a lane's backlog and oldest
wait, the DLQ by target, open alerts, the scheduler's heartbeat); the Grafana dashboard in deploy/
is valid JSON and every metric its panels query is one /metrics exposes."""

from __future__ import annotations

import json
import re
from pathlib import Path

import httpx
import pytest

from carinho.runtime import Runtime
from tests.integracoes.alerts.support import back_up, dead_letter, evaluate, set_rule

pytestmark = pytest.mark.usefixtures("still_clock")

DASHBOARD = Path(__file__).parents[3] / "deploy" / "grafana" / "carinho-integracoes.json"
HISTOGRAM_SUFFIXES = ("_bucket", "_sum", "_count")


def sample(text: str, name: str, labels: str = "") -> float:
    match = re.search(rf"^{re.escape(name)}{re.escape(labels)} (\S+)$", text, re.MULTILINE)
    assert match, f"{name}{labels} not in /metrics"
    return float(match[1])


async def test_the_hubs_gauges_are_read_at_each_scrape(rt: Runtime, hub: httpx.AsyncClient) -> None:
    await back_up(rt, 3, lane="integrations-low")
    await dead_letter(rt, "crm")
    await set_rule(rt, "lane_backlog", threshold=2, window_minutes=0)
    await evaluate(rt)
    text = (await hub.get("/metrics/")).text
    assert sample(text, "carinho_hub_lane_backlog", '{lane="integrations-low"}') == 3
    assert sample(text, "carinho_hub_lane_backlog", '{lane="integrations-high"}') == 0
    assert sample(text, "carinho_hub_dlq_open", '{target_system="crm"}') == 1
    assert sample(text, "carinho_hub_alerts_open", '{kind="lane_backlog"}') == 1
    assert sample(text, "carinho_hub_alerts_open", '{kind="dlq_growth"}') == 0
    assert sample(text, "carinho_hub_scheduler_heartbeat_age_seconds") == -1  # never beat

    await rt.db("integracoes").dispose()  # the next scrape still answers: gauges as they were
    assert (await hub.get("/metrics/")).status_code == 200


def dashboard_metrics() -> set[str]:
    document = json.loads(DASHBOARD.read_text(encoding="utf-8"))
    names: set[str] = set()
    for panel in document["panels"]:
        assert panel["targets"], panel["title"]
        for target in panel["targets"]:
            found = set(re.findall(r"\b(carinho_[a-z_]+)\b", target["expr"]))
            assert found, (panel["title"], target["expr"])
            names |= found
    return names


async def test_every_dashboard_metric_is_exposed(rt: Runtime, hub: httpx.AsyncClient) -> None:
    text = (await hub.get("/metrics/")).text
    exposed = set(re.findall(r"^# TYPE (\S+) ", text, re.MULTILINE))
    names = dashboard_metrics()
    assert len(names) >= 10
    for name in names:
        base = next((name[: -len(s)] for s in HISTOGRAM_SUFFIXES if name.endswith(s)), name)
        assert name in exposed or base in exposed, name


def test_the_metrics_doc_lists_every_exposed_hub_metric() -> None:
    from prometheus_client import REGISTRY

    import carinho.integracoes.app  # noqa: F401  (registers the hub's metrics)

    doc = (Path(__file__).parents[3] / "docs" / "metricas.md").read_text(encoding="utf-8")
    ours = {m.name for m in REGISTRY.collect() if m.name.startswith("carinho_")}
    for name in ours:
        assert name in doc, name
