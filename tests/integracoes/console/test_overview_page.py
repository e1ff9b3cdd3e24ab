"""Visão geral: open alerts on top; per lane the backlog, work done and failed in the last minute and
the oldest wait (a lane waiting over a minute is marked stopped); ingest per source; deliveries per
target system with success and latency."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest

from carinho.integracoes.database import OutboxMessage
from carinho.kit import clock
from carinho.kit.clock import utcnow
from carinho.runtime import Runtime
from carinho.worker.heartbeat import beat
from tests.integracoes.alerts.support import back_up, evaluate, set_rule
from tests.integracoes.console.conftest import MakeOperator
from tests.integracoes.processing import auth, create_endpoint, hook, receiver, submit_event
from tests.support.jobs import drain
from tests.support.webhook_receiver import Reply, WebhookReceiver

__all__ = ["auth", "hook", "receiver"]

pytestmark = pytest.mark.usefixtures("still_clock")


async def test_the_overview_shows_rates_deliveries_and_alerts(
    rt: Runtime,
    make_operator: MakeOperator,
    hub: httpx.AsyncClient,
    auth: dict[str, str],
    receiver: WebhookReceiver,
    hook: str,
) -> None:
    await create_endpoint(hub, auth, receiver.url(hook + "/crm"), retry_schedule=[])
    receiver.plan(hook + "/crm", Reply(200), Reply(500))
    await submit_event(hub, auth, source="crm")
    await submit_event(hub, auth, source="site")
    await drain(rt)
    viewer = await make_operator()
    text = (await viewer.page("/painel")).text
    assert "Entrada por origem" in text and "<code>crm</code> <span>0,2 eventos/min</span>" in text
    assert "Entregas por sistema de destino" in text
    assert '<th scope="row">crm</th><td>2</td>' in text and "50 %" in text  # one of two attempts failed
    assert 'data-lane="integrations"' in text  # the lane that ran the work, with its rate
    assert "Alertas abertos" not in text and "parada" not in text

    await set_rule(rt, "lane_backlog", threshold=2, window_minutes=0)
    await back_up(rt, 3, lane="integrations-low")
    await _park(rt, due=timedelta(minutes=2))
    await evaluate(rt)
    clock.advance(timedelta(seconds=1))
    body = (await viewer.page("/painel/atualizar")).text
    assert "Alertas abertos (1)" in body and "Fila integrations-low com 4 itens aguardando" in body
    assert '<tr class="lane-stuck" data-lane="integrations-low">' in body and "parada" in body


async def _park(rt: Runtime, due: timedelta) -> None:
    """Work on integrations-low that came due `due` ago and no worker took."""
    async with rt.db("integracoes").session() as session:
        session.add(
            OutboxMessage(
                job="tests.alerts.parked",
                lane="integrations-low",
                args={},
                status="pending",
                available_at=utcnow() - due,
                visible_at=utcnow() + timedelta(days=1),
            )
        )
        await session.commit()


async def test_a_lane_is_marked_stopped_past_the_setting(rt: Runtime, make_operator: MakeOperator) -> None:
    viewer = await make_operator()
    await _park(rt, due=timedelta(minutes=2))
    rt.settings.console_lane_stuck_seconds = 180
    assert 'class="lane-stuck"' not in (await viewer.page("/painel")).text
    rt.settings.console_lane_stuck_seconds = 60
    assert '<tr class="lane-stuck" data-lane="integrations-low">' in (await viewer.page("/painel")).text


async def test_the_overview_shows_the_workers_alive_per_lane(
    rt: Runtime, make_operator: MakeOperator
) -> None:
    viewer = await make_operator()
    await back_up(rt, 2, lane="integrations-low")
    text = (await viewer.page("/painel")).text
    assert "nenhum no ar" in text  # no worker has beaten: the work waits for nobody
    lane = text.split('data-lane="integrations-low">')[1].split("</tr>")[0]
    assert "nenhum" in lane

    await beat(rt, "worker:maquina-1:41:aaa", {"integrations": 3, "integrations-low": 1})
    await beat(rt, "worker:maquina-2:42:bbb", {"integrations": 4})
    text = (await viewer.page("/painel")).text
    assert "2 no ar" in text and "maquina-1 (pid 41)" in text
    row = text.split('data-lane="integrations">')[1].split("</tr>")[0]
    assert row.endswith("<td>2</td>\n          <td>7</td>")  # two workers, seven threads
    clock.advance(timedelta(seconds=31))
    assert "nenhum no ar" in (await viewer.page("/painel")).text  # not seen for over 30 s: dead
