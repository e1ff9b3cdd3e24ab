"""The overview's charts: events received, processed and sent to the DLQ, and delivery attempts
(succeeded / failed, average latency), per minute over the last hour or per hour over the last day.
Drawn server-side by the kit's SVG charts from bucketed counts (ops/repository.py)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from carinho.integracoes.ops.received import PerMinute, per_bucket
from carinho.integracoes.ops.repository import DeliveryBucket, OpsRepository
from carinho.kit.ui.charts import Series, bar_chart, line_chart
from carinho.kit.ui.formatting import local, number_br


@dataclass(frozen=True)
class Period:
    key: str
    label: str  # the period's tab
    seconds: int  # one bucket
    buckets: int
    unit: str  # "por minuto"
    label_format: str  # a bucket's label, in local time


PERIODS = {
    "hora": Period("hora", "Última hora", 60, 60, "por minuto", "%H:%M"),
    "dia": Period("dia", "Últimas 24 horas", 3600, 24, "por hora", "%Hh"),
}
DEFAULT_PERIOD = "hora"


def period_for(value: str | None) -> Period:
    return PERIODS.get(value or DEFAULT_PERIOD, PERIODS[DEFAULT_PERIOD])


def _ms(value: float) -> str:
    return f"{number_br(value)} ms"


async def overview_charts(
    session: AsyncSession, now: datetime, period: Period, received_per_minute: PerMinute
) -> dict[str, Any]:
    """The buckets of `period` up to the one holding `now` (that one still filling); the events
    received come from the process's roll-up (ops/received.py)."""
    last = int(now.timestamp()) // period.seconds
    keys = range(last - period.buckets + 1, last + 1)
    since = datetime.fromtimestamp(keys[0] * period.seconds, UTC)
    ops = OpsRepository(session)
    received = per_bucket(received_per_minute, period.seconds)
    processed = await ops.events_processed_per_bucket(since, period.seconds)
    dead = await ops.events_dead_per_bucket(since, period.seconds)
    deliveries = await ops.deliveries_per_bucket(since, period.seconds)
    labels = [
        local(datetime.fromtimestamp(key * period.seconds, UTC)).strftime(period.label_format)  # type: ignore[union-attr]
        for key in keys
    ]
    empty = DeliveryBucket()
    sent = [deliveries.get(key, empty) for key in keys]
    attempts = sum(b.succeeded + b.failed for b in sent)
    timed = [(b.avg_duration_ms, b.succeeded + b.failed) for b in sent if b.avg_duration_ms is not None]
    suffix = f"{period.unit}, {period.label.lower()}"
    return {
        "period": period,
        "periods": PERIODS.values(),
        "events_chart": line_chart(
            labels,
            [
                Series("Recebidos", [received.get(key, 0) for key in keys]),
                Series("Processados", [processed.get(key, 0) for key in keys], tone=5),
                Series("Para a DLQ", [dead.get(key, 0) for key in keys], tone=4),
            ],
            title=f"Eventos {suffix}",
            ident="grafico-eventos",
        ),
        "deliveries_chart": bar_chart(
            labels,
            [
                Series("Com sucesso", [b.succeeded for b in sent], tone=5),
                Series("Com falha", [b.failed for b in sent], tone=4),
            ],
            title=f"Tentativas de entrega {suffix}",
            stacked=True,
            ident="grafico-entregas",
        ),
        "latency_chart": line_chart(
            labels,
            [Series("Latência média", [b.avg_duration_ms for b in sent], tone=3)],
            title=f"Latência média das entregas {suffix}",
            fmt=_ms,
            ident="grafico-latencia",
        ),
        "totals": {
            "received": sum(received.get(key, 0) for key in keys),
            "processed": sum(processed.get(key, 0) for key in keys),
            "dead": sum(dead.get(key, 0) for key in keys),
            "attempts": attempts,
            "succeeded": sum(b.succeeded for b in sent),
            "success_rate": sum(b.succeeded for b in sent) / attempts if attempts else None,
            "avg_duration_ms": (
                round(sum(avg * n for avg, n in timed) / sum(n for _, n in timed), 1) if timed else None
            ),
        },
    }
