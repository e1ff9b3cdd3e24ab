"""Prometheus counters of the inbound webhooks (exposed on /metrics)."""

from __future__ import annotations

from functools import cache
from typing import Any

from prometheus_client import Counter

webhook_rejections = Counter(
    "carinho_webhook_rejections_total",
    "Inbound webhooks refused before anything was stored",
    ["source", "reason"],
)
webhook_accepted = Counter(
    "carinho_webhook_events_total",
    "Inbound webhooks accepted, by outcome (new or duplicate)",
    ["source", "outcome"],
)


@cache
def accepted_counter(source: str, outcome: str) -> Any:
    """The child counter of `webhook_accepted` (labels() takes a lock and builds a key per call)."""
    return webhook_accepted.labels(source=source, outcome=outcome)
