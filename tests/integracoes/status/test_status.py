"""GET /status: the hub's full status as JSON for machines and as a public page for a browser —
version, uptime, dependencies, each lane's backlog and oldest wait, the scheduler, the last run of
each sync, the DLQ and the open alerts — with nothing personal or secret in it."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest

from carinho.integracoes.database import Heartbeat, OutboxMessage
from carinho.integracoes.sync.definitions import SYNCS
from carinho.integracoes.sync.models import SyncJob
from carinho.kit import clock
from carinho.kit.clock import utcnow
from carinho.runtime import Runtime
from carinho.worker.heartbeat import beat
from carinho.worker.scheduler import HEARTBEAT_NAME
from tests.integracoes.alerts.support import back_up, dead_letter, evaluate, set_rule

pytestmark = pytest.mark.usefixtures("still_clock")


async def _scene(rt: Runtime) -> None:
    """A scheduler that beat, a lane waiting 2 minutes, a failed sync run, a DLQ item, an alert."""
    now = utcnow()
    async with rt.db("integracoes").session() as session:
        session.add(Heartbeat(name=HEARTBEAT_NAME, beat_at=now, details={"token": "host-secreto:123:abc"}))
        session.add(
            SyncJob(
                name="crm_operacao_contracts",
                trigger="schedule",
                status="failed",
                started_at=now,
                errors=[{"error": "connect to db.interno:3306 user=carinho failed"}],
                created_at=now,
                updated_at=now,
            )
        )
        await session.commit()
    await back_up(rt, 3, lane="integrations")
    async with rt.db("integracoes").session() as session:
        session.add(
            OutboxMessage(
                job="tests.alerts.parked",
                lane="integrations",
                args={"phone": "11987654321"},
                status="pending",
                available_at=now - timedelta(minutes=2),
                visible_at=now + timedelta(days=1),
            )
        )
        await session.commit()
    await dead_letter(rt, "crm")
    await set_rule(rt, "lane_backlog", threshold=3, window_minutes=0)
    await evaluate(rt)
    # Two worker processes on the integrations lane; the host names are not public.
    await beat(rt, "worker:host-secreto:41:aaa", {"integrations": 3, "integrations-low": 1})
    await beat(rt, "worker:host-secreto:42:bbb", {"integrations": 4})


async def test_status_json(rt: Runtime, hub: httpx.AsyncClient) -> None:
    await _scene(rt)
    clock.advance(timedelta(seconds=5))
    response = await hub.get("/status")
    assert response.status_code == 200
    body = response.json()
    assert body["service"] == "integracoes" and body["version"]
    assert body["status"] == "degraded"  # an alert is open
    assert body["uptime_seconds"] >= 0
    assert body["dependencies"]["database"]["status"] == "up"
    assert body["dependencies"]["broker"]["status"] == "up"
    assert body["scheduler"] == {"leader": True, "status": "up", "last_beat_age_seconds": 5.0}
    [lane] = [lane for lane in body["lanes"] if lane["lane"] == "integrations"]
    assert lane["backlog"] == 4 and lane["oldest_age_seconds"] == pytest.approx(125, abs=1)
    assert (lane["workers_alive"], lane["concurrency"]) == (2, 7)
    syncs = {s["name"]: s for s in body["syncs"]}
    assert set(syncs) == set(SYNCS)
    assert syncs["crm_operacao_contracts"]["last_status"] == "failed"
    assert body["dlq"]["open"] == 1
    [alert] = body["open_alerts"]
    assert alert["kind"] == "lane_backlog" and alert["subject"] == "integrations"
    assert "host-secreto" not in response.text and "db.interno" not in response.text
    assert "11987654321" not in response.text


async def test_status_page_is_public_and_says_the_same(rt: Runtime, hub: httpx.AsyncClient) -> None:
    await _scene(rt)
    page = await hub.get("/status", headers={"Accept": "text/html"})
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    text = page.text
    assert "Status do hub de integrações" in text and "Com alertas" in text
    assert "Fila integrations com 4 itens aguardando" in text
    assert "<code>integrations</code>" in text
    assert "falhou" in text  # the failed sync's last run
    assert "host-secreto" not in text and "db.interno" not in text and "11987654321" not in text
    assert 'href="/sair"' not in text  # nobody is signed in: no account menu
    as_json = await hub.get("/status?formato=json", headers={"Accept": "text/html"})
    assert as_json.headers["content-type"] == "application/json"


async def test_status_of_a_quiet_hub(rt: Runtime, hub: httpx.AsyncClient) -> None:
    body = (await hub.get("/status")).json()
    assert body["open_alerts"] == [] and body["dlq"]["open"] == 0
    assert body["scheduler"]["status"] == "unknown" and body["scheduler"]["leader"] is False
    page = await hub.get("/status", headers={"Accept": "text/html"})
    assert "Nenhum alerta aberto" in page.text and "nunca" in page.text
