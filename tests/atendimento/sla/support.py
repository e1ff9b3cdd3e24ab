"""Helpers of the SLA tests: conversations from the webhook, the SLA API and the monitor job."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import httpx

from carinho.atendimento.sla.tasks import sla_monitor
from carinho.runtime import Runtime
from tests.atendimento.conftest import Api, freeze_at, post_webhook, received


async def incoming(
    client: httpx.AsyncClient, message_id: str, phone: str = "5511955550001", text: str = "Oi"
) -> int:
    response = await post_webhook(client, received(message_id, phone=phone, text=text))
    assert response.status_code == 200, response.text
    return int(response.json()["conversation_id"])


async def sla_of(api: Api, conversation_id: int) -> dict[str, Any]:
    response = await api.get(f"/api/sla/conversations/{conversation_id}")
    assert response.status_code == 200, response.text
    return dict(response.json())


def target(state: dict[str, Any], name: str, cycle: int = 1) -> dict[str, Any]:
    [found] = [t for t in state["targets"] if t["target"] == name and t["cycle"] == cycle]
    return dict(found)


def at(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


async def run_monitor(rt: Runtime) -> None:
    async with rt.db("atendimento").session() as session:
        await sla_monitor(session)
        await session.commit()


async def sla_alerts(api: Api, conversation_id: int | None = None) -> list[dict[str, Any]]:
    alerts = (await api.get("/api/alerts", params={"include_acknowledged": "true"})).json()
    return [
        a
        for a in alerts
        if a["kind"].startswith("sla_")
        and (conversation_id is None or a["conversation_id"] == conversation_id)
    ]


def move_to(start: datetime, minutes: float) -> None:
    freeze_at(start + timedelta(minutes=minutes))


def near(value: str | datetime, expected: datetime, seconds: float = 10) -> bool:
    """The clock is frozen by an offset from the real one, so instants drift by the test's runtime."""
    actual = at(value) if isinstance(value, str) else value
    return abs((actual - expected).total_seconds()) <= seconds
