"""The overview's charts: events received, processed and sent to the DLQ, and delivery attempts
(succeeded / failed), counted per minute over the last hour and per hour over the last day by SQL
time buckets — the same counts on SQLite, MariaDB and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx

from carinho.integracoes.ops.repository import OpsRepository
from carinho.kit import clock
from carinho.runtime import Runtime
from tests.integracoes.console.conftest import MakeOperator
from tests.integracoes.console.hub_data import failed_event, processed_event
from tests.integracoes.processing import auth, create_endpoint, hook, receiver
from tests.support.webhook_receiver import Reply, WebhookReceiver

__all__ = ["auth", "hook", "receiver"]

# 09:00:30 in Brasília: the charts label buckets in local time.
T0 = datetime(2026, 12, 7, 12, 0, 30, tzinfo=UTC)


def _minute(moment: datetime) -> int:
    return int(moment.timestamp()) // 60


async def test_events_and_deliveries_are_counted_per_minute_and_per_hour(
    rt: Runtime,
    make_operator: MakeOperator,
    hub: httpx.AsyncClient,
    auth: dict[str, str],
    receiver: WebhookReceiver,
    hook: str,
) -> None:
    clock.set_offset(T0 - datetime.now(UTC))
    clock.freeze()
    await create_endpoint(hub, auth, receiver.url(hook + "/crm"), retry_schedule=[])
    receiver.plan(hook + "/crm", Reply(200), Reply(500), Reply(200))
    # 12:00 — two events processed and delivered (one delivery fails), one that fails for good.
    await processed_event(hub, rt, auth)
    await processed_event(hub, rt, auth)
    await failed_event(hub, rt, auth)
    # 12:02 — one more, processed and delivered.
    clock.advance(timedelta(minutes=2))
    await processed_event(hub, rt, auth)
    # 13:00:30: the hour chart (13:00 back to 12:01) has left 12:00 behind; the day chart has not.
    clock.advance(timedelta(minutes=58))

    since = T0 - timedelta(hours=2)
    async with rt.db("integracoes").session() as session:
        ops = OpsRepository(session)
        received = await ops.events_received_per_bucket(since, 60)
        processed = await ops.events_processed_per_bucket(since, 60)
        dead = await ops.events_dead_per_bucket(since, 60)
        deliveries = await ops.deliveries_per_bucket(since, 60)
        per_hour = await ops.events_received_per_bucket(since, 3600)
        late = await ops.events_received_per_bucket(T0 + timedelta(minutes=1), 60)
    first, third = _minute(T0), _minute(T0) + 2
    assert received == {first: 3, third: 1}
    assert processed == {first: 2, third: 1}
    assert dead == {first: 1}
    assert {k: (b.succeeded, b.failed) for k, b in deliveries.items()} == {first: (1, 1), third: (1, 0)}
    assert all(b.avg_duration_ms is not None and b.avg_duration_ms >= 0 for b in deliveries.values())
    assert per_hour == {int(T0.timestamp()) // 3600: 4}
    assert late == {third: 1}  # the range starts at `since`

    viewer = await make_operator()
    hour = (await viewer.page("/painel")).text
    assert (
        'id="grafico-eventos"' in hour and 'id="grafico-entregas"' in hour and 'id="grafico-latencia"' in hour
    )
    assert "Eventos por minuto, última hora" in hour
    # The data table under the chart (Brasília time): 09:00 is out of the last hour, 09:02 is in.
    assert '<th scope="row">09:02</th><td>1</td><td>1</td><td>0</td>' in hour
    assert '<th scope="row">09:00</th>' not in hour
    day = (await viewer.page("/painel?periodo=dia")).text
    assert "Eventos por hora, últimas 24 horas" in day
    assert '<th scope="row">09h</th><td>4</td><td>3</td><td>1</td>' in day
    assert '<th scope="row">09h</th><td>2</td><td>1</td>' in day  # deliveries: 2 succeeded, 1 failed
    assert 'aria-current="page">Últimas 24 horas</a>' in day
    assert "<dt>Eventos recebidos</dt><dd>4</dd>" in day and "<dt>Tentativas de entrega</dt><dd>3 · " in day
    refresh = (await viewer.page("/painel/atualizar?periodo=dia")).text
    assert 'hx-get="/painel/atualizar?periodo=dia"' in refresh
