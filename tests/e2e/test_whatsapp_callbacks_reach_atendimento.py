"""Z-API's delivery and status callbacks reach atendimento through the hub (the normal wiring):
a reply to a number without WhatsApp is marked failed, listed in /api/messages/failed and raises the
`message_send_failed` alert; a reply that arrives moves on to read."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from carinho.config import Settings
from carinho.integracoes.events.models import IntegrationEvent
from tests.atendimento.conftest import OPEN_INSTANT, Api, freeze_at
from tests.e2e.wiring import Wired, wired

NO_WHATSAPP = "5511955550000"  # the simulator's numbers ending in 0000 have no WhatsApp
WITH_WHATSAPP = "5511955554321"


async def _conversation(supervisor: Api, phone: str) -> int:
    conversations = (await supervisor.get("/api/conversations")).json()
    [conversation] = [c for c in conversations if c["contact"]["phone"] == phone]
    return int(conversation["id"])


async def _events(platform: Wired, event_type: str) -> list[IntegrationEvent]:
    async with platform.rt.db("integracoes").session() as session:
        stmt = select(IntegrationEvent).where(IntegrationEvent.event_type == event_type)
        return list((await session.execute(stmt)).scalars())


async def test_a_reply_to_a_number_without_whatsapp_is_failed_listed_and_alerted(
    settings: Settings, tmp_path: Path
) -> None:
    async with wired(settings, tmp_path) as platform:
        freeze_at(OPEN_INSTANT)
        await platform.phone_sends(NO_WHATSAPP, "Olá, preciso de uma cuidadora", "Rosa Maria")
        await platform.run_jobs()
        supervisor = await platform.agent()
        conversation_id = await _conversation(supervisor, NO_WHATSAPP)
        reply = await supervisor.post(
            f"/api/conversations/{conversation_id}/messages", json={"text": "Olá! Posso ligar agora?"}
        )
        assert reply.status_code == 202, reply.text
        await platform.run_jobs()

        # Z-API accepted every send; WhatsApp refused them in its DeliveryCallback, which the hub
        # processed (not ignored) and forwarded.
        deliveries = await _events(platform, "whatsapp.delivery")
        assert deliveries and all(event.status == "processed" for event in deliveries)
        messages = (await supervisor.get(f"/api/conversations/{conversation_id}/messages")).json()
        ours = [m for m in messages if m["direction"] == "outbound"]
        assert ours and all(m["delivery_status"] == "failed" for m in ours), ours
        shown = next(m for m in ours if m["id"] == reply.json()["id"])
        assert "Phone number does not exist" in shown["failure_reason"]
        failed = (await supervisor.get("/api/messages/failed")).json()
        assert reply.json()["id"] in [m["id"] for m in failed]
        alerts = (await supervisor.get("/api/alerts")).json()
        assert reply.json()["id"] in [a["message_id"] for a in alerts if a["kind"] == "message_send_failed"]


async def test_a_reply_that_arrives_is_read_through_the_forwarded_status_callbacks(
    settings: Settings, tmp_path: Path
) -> None:
    async with wired(settings, tmp_path) as platform:
        freeze_at(OPEN_INSTANT)
        await platform.phone_sends(WITH_WHATSAPP, "Olá, preciso de uma cuidadora", "Rosa Maria")
        await platform.run_jobs()
        supervisor = await platform.agent()
        conversation_id = await _conversation(supervisor, WITH_WHATSAPP)
        reply = await supervisor.post(
            f"/api/conversations/{conversation_id}/messages", json={"text": "Olá! Posso ligar agora?"}
        )
        await platform.run_jobs()
        messages = (await supervisor.get(f"/api/conversations/{conversation_id}/messages")).json()
        shown = next(m for m in messages if m["id"] == reply.json()["id"])
        assert shown["delivery_status"] == "read"
        assert (await supervisor.get("/api/messages/failed")).json() == []
