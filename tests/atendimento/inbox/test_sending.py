"""Sending through the Z-API simulator: delivery, statuses coming back, retries, the dead letter
(failed + alert), and never sending a message twice."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from carinho.atendimento.agents.models import Role
from carinho.atendimento.history.models import HistoryEntry
from carinho.atendimento.inbox.models import Alert, Message
from carinho.atendimento.inbox.sending import MAX_SEND_ATTEMPTS, deliver
from carinho.kit import clock
from carinho.runtime import Runtime
from carinho.sandbox.serving import serve_app
from tests.atendimento.conftest import OPEN_INSTANT, MakeAgent, Simulators, freeze_at, post_webhook, received
from tests.sandbox.harness import RunningSandbox
from tests.support.jobs import drain

PHONE = "5511987654321"


@dataclass
class Zapi:
    sandbox: RunningSandbox
    rt: Runtime
    http: httpx.AsyncClient

    async def sent(self) -> list[dict]:
        return (await self.http.get("/_sandbox/zapi/messages")).json()

    async def faults(self, **values: object) -> None:
        response = await self.http.put("/_sandbox/zapi/faults", json=values)
        assert response.status_code == 200, response.text

    async def clear_faults(self) -> None:
        await self.http.delete("/_sandbox/zapi/faults")


@pytest.fixture
def zapi(simulators: Simulators) -> Zapi:
    """The sandbox's Z-API on a real socket; the runtime's Z-API settings point at it."""
    return Zapi(simulators.sandbox, simulators.rt, simulators.http)


async def open_conversation(atendimento: httpx.AsyncClient) -> int:
    freeze_at(OPEN_INSTANT)
    response = await post_webhook(atendimento, received("IN-1", phone=PHONE))
    assert response.status_code == 200
    return int(response.json()["conversation_id"])


async def message_row(rt: Runtime, message_id: int) -> Message:
    async with rt.db("atendimento").session() as session:
        message = await session.get(Message, message_id)
        assert message is not None
        return message


async def test_a_reply_reaches_the_phone_and_its_status_comes_back(
    zapi: Zapi, make_agent: MakeAgent, tmp_path: Path
) -> None:
    from carinho.atendimento.app import create_app

    async with serve_app(create_app(zapi.rt)) as url:
        hook = f"{url}/webhooks/whatsapp?token=test-zapi-secret"
        zapi.sandbox.state.zapi.webhooks = dict.fromkeys(zapi.sandbox.state.zapi.webhooks, hook)
        freeze_at(OPEN_INSTANT)
        phone_send = await zapi.http.post(
            "/_sandbox/zapi/phone/messages",
            json={"phone": PHONE, "sender_name": "Joana Lima", "text": "Quero contratar uma cuidadora"},
        )
        assert phone_send.status_code == 200, phone_send.text
        assert phone_send.json()["status"] == 200
        # A real socket to a server in this process: httpx's 5 s default read timeout is too short on
        # a loaded machine (a full run timed out once reading the history).
        async with httpx.AsyncClient(base_url=url, timeout=30.0) as client:
            supervisor = await make_agent(Role.supervisor)
            supervisor.client = client
            [conversation] = (await supervisor.get("/api/conversations")).json()
            assert conversation["contact"]["name"] == "Joana Lima"
            reply = await supervisor.post(
                f"/api/conversations/{conversation['id']}/messages",
                json={"text": "Olá Joana! Como posso ajudar?"},
            )
            assert reply.status_code == 202, reply.text
            assert reply.json()["delivery_status"] == "queued"
            await drain(zapi.rt, ("atendimento",))
            texts = [m["body"].get("message") for m in await zapi.sent() if m["phone"] == PHONE]
            assert "Olá Joana! Como posso ajudar?" in texts
            message_id = reply.json()["id"]
            async with asyncio_timeout(10):
                while (await message_row(zapi.rt, message_id)).delivery_status != "read":
                    await asyncio_sleep(0.02)
            history = (await supervisor.get(f"/api/conversations/{conversation['id']}/history")).json()
            actions = [entry["action"] for entry in history]
            assert "message.received" in actions
            assert "message.queued" in actions
            assert "message.sent" in actions
            assert "message.delivery_status" in actions


async def test_transient_failures_are_retried_and_sent_once(
    zapi: Zapi, atendimento: httpx.AsyncClient, make_agent: MakeAgent
) -> None:
    agent = await make_agent()
    conversation_id = await open_conversation(atendimento)
    await drain(zapi.rt, ("atendimento",))  # automatic messages go out first
    before = len(await zapi.sent())
    await zapi.faults(fail_next=2, fail_status=503)
    reply = await agent.post(f"/api/conversations/{conversation_id}/messages", json={"text": "Tudo bem?"})
    message_id = reply.json()["id"]
    await drain(zapi.rt, ("atendimento",))
    row = await message_row(zapi.rt, message_id)
    assert row.delivery_status == "queued"
    assert row.send_attempts == 1
    assert row.failure_reason and "tentativa 1" in row.failure_reason
    clock.advance(timedelta(seconds=40))
    await drain(zapi.rt, ("atendimento",))
    assert (await message_row(zapi.rt, message_id)).send_attempts == 2
    clock.advance(timedelta(minutes=3))
    await drain(zapi.rt, ("atendimento",))
    row = await message_row(zapi.rt, message_id)
    assert row.delivery_status == "sent"
    assert row.send_attempts == 3
    assert row.zapi_message_id
    sent = await zapi.sent()
    assert len(sent) == before + 1
    assert [m["body"]["message"] for m in sent].count("Tudo bem?") == 1


async def test_exhausted_retries_fail_visibly_raise_an_alert_and_can_be_resent(
    zapi: Zapi, atendimento: httpx.AsyncClient, make_agent: MakeAgent
) -> None:
    supervisor = await make_agent(Role.supervisor)
    conversation_id = await open_conversation(atendimento)
    await drain(zapi.rt, ("atendimento",))
    await zapi.faults(down=True)
    reply = await supervisor.post(f"/api/conversations/{conversation_id}/messages", json={"text": "Oi?"})
    message_id = reply.json()["id"]
    for _ in range(MAX_SEND_ATTEMPTS):
        await drain(zapi.rt, ("atendimento",))
        clock.advance(timedelta(hours=1))
    row = await message_row(zapi.rt, message_id)
    assert row.delivery_status == "failed"
    assert row.send_attempts == MAX_SEND_ATTEMPTS
    assert row.failure_reason and row.failure_reason.startswith(f"Falha após {MAX_SEND_ATTEMPTS} tentativas")
    messages = (await supervisor.get(f"/api/conversations/{conversation_id}/messages")).json()
    shown = next(m for m in messages if m["id"] == message_id)
    assert shown["delivery_status"] == "failed"
    alerts = (await supervisor.get("/api/alerts")).json()
    assert [a["message_id"] for a in alerts if a["kind"] == "message_send_failed"] == [message_id]
    failed = (await supervisor.get("/api/messages/failed")).json()
    assert [m["id"] for m in failed] == [message_id]

    await zapi.clear_faults()
    retry = await supervisor.post(f"/api/messages/{message_id}/retry")
    assert retry.status_code == 202, retry.text
    await drain(zapi.rt, ("atendimento",))
    assert (await message_row(zapi.rt, message_id)).delivery_status == "sent"
    assert [m["body"]["message"] for m in await zapi.sent()].count("Oi?") == 1
    again = await supervisor.post(f"/api/messages/{message_id}/retry")
    assert again.status_code == 409


async def test_a_rejected_send_fails_at_once_without_retrying(
    zapi: Zapi, atendimento: httpx.AsyncClient, make_agent: MakeAgent
) -> None:
    agent = await make_agent()
    conversation_id = await open_conversation(atendimento)
    await drain(zapi.rt, ("atendimento",))
    await zapi.faults(fail_next=1, fail_status=400, fail_body={"error": "Invalid phone"})
    reply = await agent.post(f"/api/conversations/{conversation_id}/messages", json={"text": "Olá"})
    await drain(zapi.rt, ("atendimento",))
    row = await message_row(zapi.rt, reply.json()["id"])
    assert row.delivery_status == "failed"
    assert row.send_attempts == 1
    async with zapi.rt.db("atendimento").session() as session:
        alerts = (await session.execute(select(Alert))).scalars().all()
        assert [a.message_id for a in alerts] == [row.id]
        failed = (
            (await session.execute(select(HistoryEntry).where(HistoryEntry.action == "message.failed")))
            .scalars()
            .all()
        )
        assert [e.after["message_id"] for e in failed] == [row.id]


async def test_a_message_is_never_sent_twice(
    zapi: Zapi, atendimento: httpx.AsyncClient, make_agent: MakeAgent
) -> None:
    agent = await make_agent()
    conversation_id = await open_conversation(atendimento)
    await drain(zapi.rt, ("atendimento",))
    before = len(await zapi.sent())
    reply = await agent.post(f"/api/conversations/{conversation_id}/messages", json={"text": "Uma vez só"})
    assert reply.status_code == 202, reply.text
    message_id = reply.json()["id"]
    await drain(zapi.rt, ("atendimento",))
    # The job delivered again (a redelivered broker message, a replayed outbox row): nothing is sent.
    for _ in range(2):
        async with zapi.rt.db("atendimento").session() as session:
            outcome = await deliver(session, message_id, 1)
            await session.commit()
        assert outcome.status == "skipped"
    assert len(await zapi.sent()) == before + 1


async def test_a_send_interrupted_after_the_claim_is_failed_not_resent(
    zapi: Zapi, atendimento: httpx.AsyncClient, make_agent: MakeAgent
) -> None:
    from sqlalchemy import update

    from carinho.atendimento.inbox.sending import fail_stuck_sends

    agent = await make_agent()
    conversation_id = await open_conversation(atendimento)
    reply = await agent.post(f"/api/conversations/{conversation_id}/messages", json={"text": "Interrompida"})
    message_id = reply.json()["id"]
    async with zapi.rt.db("atendimento").session() as session:  # a crash right after the claim
        await session.execute(
            update(Message).where(Message.id == message_id).values(delivery_status="sending")
        )
        await session.commit()
    clock.advance(timedelta(minutes=15))
    async with zapi.rt.db("atendimento").session() as session:
        assert await fail_stuck_sends(session) == 1
        await session.commit()
    row = await message_row(zapi.rt, message_id)
    assert row.delivery_status == "failed"
    assert "confirme no WhatsApp" in (row.failure_reason or "")
    await drain(zapi.rt, ("atendimento",))
    assert "Interrompida" not in [m["body"].get("message") for m in await zapi.sent()]


async def test_status_callbacks_move_forward_only_and_delivery_errors_fail(
    zapi: Zapi, atendimento: httpx.AsyncClient, make_agent: MakeAgent
) -> None:
    from tests.atendimento.conftest import fixture

    agent = await make_agent()
    conversation_id = await open_conversation(atendimento)
    first = (await agent.post(f"/api/conversations/{conversation_id}/messages", json={"text": "A"})).json()[
        "id"
    ]
    second = (await agent.post(f"/api/conversations/{conversation_id}/messages", json={"text": "B"})).json()[
        "id"
    ]
    await drain(zapi.rt, ("atendimento",))
    first_id = (await message_row(zapi.rt, first)).zapi_message_id
    second_id = (await message_row(zapi.rt, second)).zapi_message_id
    for status in ("READ", "RECEIVED", "SENT"):
        payload = fixture("message_status")
        payload.update(ids=[first_id], status=status, phone=PHONE)
        assert (await post_webhook(atendimento, payload)).status_code == 200
    assert (await message_row(zapi.rt, first)).delivery_status == "read"
    error = fixture("delivery_error")
    error.update(messageId=second_id, phone=PHONE)
    assert (await post_webhook(atendimento, error)).json()["status"] == "delivery_applied"
    row = await message_row(zapi.rt, second)
    assert row.delivery_status == "failed"
    assert "Phone number does not exist" in (row.failure_reason or "")


async def test_a_status_that_arrives_before_the_send_is_recorded_is_applied_later(
    zapi: Zapi, atendimento: httpx.AsyncClient, make_agent: MakeAgent
) -> None:
    from tests.atendimento.conftest import fixture

    agent = await make_agent()
    conversation_id = await open_conversation(atendimento)
    reply = await agent.post(f"/api/conversations/{conversation_id}/messages", json={"text": "Cedo"})
    early = fixture("message_status")
    early.update(ids=["EARLY-ID"], status="RECEIVED", phone=PHONE)
    assert (await post_webhook(atendimento, early)).json()["status"] == "ignored"
    from sqlalchemy import update

    async with zapi.rt.db("atendimento").session() as session:
        await session.execute(
            update(Message)
            .where(Message.id == reply.json()["id"])
            .values(zapi_message_id="EARLY-ID", delivery_status="sent")
        )
        await session.commit()
    from carinho.atendimento.inbox.receipts import reconcile_receipts

    async with zapi.rt.db("atendimento").session() as session:
        assert await reconcile_receipts(session) == 1
        await session.commit()
    assert (await message_row(zapi.rt, reply.json()["id"])).delivery_status == "received"


from asyncio import sleep as asyncio_sleep  # noqa: E402
from asyncio import timeout as asyncio_timeout  # noqa: E402
