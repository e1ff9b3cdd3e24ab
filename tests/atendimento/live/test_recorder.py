"""The recorder: a `live_changes` row in the transaction of each change the inbox shows, none on
rollback, none from the hub's sessions."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest
from sqlalchemy import event, select
from sqlalchemy.orm import Session, selectinload

from carinho.atendimento.database import AtendimentoSession
from carinho.atendimento.inbox.models import Contact, Conversation, Message
from carinho.atendimento.inbox.sending import _claim
from carinho.atendimento.labels.models import Label
from carinho.atendimento.live import recorder
from carinho.atendimento.live.models import ChangeKind, LiveChange
from carinho.atendimento.live.tasks import prune
from carinho.kit import clock
from carinho.runtime import Runtime
from tests.atendimento.conftest import OPEN_INSTANT, MakeAgent, fixture, freeze_at, post_webhook, received
from tests.atendimento.live.helpers import changes, forget_changes, last_id

PHONE = "5511987654321"


async def open_conversation(atendimento: httpx.AsyncClient, message_id: str = "LV-1") -> int:
    freeze_at(OPEN_INSTANT)
    response = await post_webhook(atendimento, received(message_id, phone=PHONE))
    assert response.status_code == 200, response.text
    return int(response.json()["conversation_id"])


async def outbound_message(rt: Runtime, conversation_id: int, zapi_id: str, status: str = "sent") -> int:
    async with rt.db("atendimento").session() as session:
        message = Message(
            conversation_id=conversation_id,
            direction="outbound",
            sender_type="agent",
            content="Bom dia! Como podemos ajudar?",
            zapi_message_id=zapi_id,
            delivery_status=status,
        )
        session.add(message)
        await session.commit()
        return message.id


async def test_a_message_through_the_webhook_records_its_conversation(
    seeded: Runtime, atendimento: httpx.AsyncClient
) -> None:
    conversation_id = await open_conversation(atendimento)
    recorded = await changes(seeded)
    assert {c for c, _ in recorded} == {conversation_id}
    kinds = {k for _, k in recorded}
    assert {"conversation", "message", "sla"} <= kinds
    assert "delivery" not in kinds

    # A second message of the same customer: a new message in the same conversation.
    await forget_changes(seeded)
    response = await post_webhook(atendimento, received("LV-2", phone=PHONE, text="Ainda estão aí?"))
    assert response.json()["conversation_id"] == conversation_id
    assert (conversation_id, "message") in await changes(seeded)


async def test_a_delivery_status_callback_records_a_delivery_change(
    seeded: Runtime, atendimento: httpx.AsyncClient
) -> None:
    conversation_id = await open_conversation(atendimento)
    await outbound_message(seeded, conversation_id, "OUT-LV-1")
    await forget_changes(seeded)
    status = fixture("message_status")
    status.update(ids=["OUT-LV-1"], status="RECEIVED", phone=PHONE)
    response = await post_webhook(atendimento, status)
    assert response.json()["status"] == "status_applied"
    assert await changes(seeded) == [(conversation_id, "delivery")]

    # A status that changes nothing (it never moves back) records nothing.
    await forget_changes(seeded)
    status.update(status="SENT")
    assert (await post_webhook(atendimento, status)).json()["status"] == "ignored"
    assert await changes(seeded) == []


async def test_a_rolled_back_transaction_records_nothing(seeded: Runtime) -> None:
    async with seeded.db("atendimento").session() as session:
        contact = Contact(phone="5511911112222")
        session.add(contact)
        conversation = Conversation(contact=contact)
        session.add(conversation)
        await session.flush()
        # Noted by the flush, to be written by the commit...
        assert session.sync_session.info[recorder.PENDING] == {(conversation.id, "conversation")}
        await session.rollback()
        # ...which never comes: nothing written, nothing left to write.
        assert recorder.PENDING not in session.sync_session.info
    assert await changes(seeded) == []

    # A savepoint rolled back inside a committed transaction: the commit still writes the rest.
    async with seeded.db("atendimento").session() as session:
        kept = Conversation(contact=Contact(phone="5511911113333"))
        session.add(kept)
        async with session.begin_nested() as savepoint:
            session.add(Conversation(contact=Contact(phone="5511911114444")))
            await session.flush()
            await savepoint.rollback()
        await session.commit()
    assert (kept.id, "conversation") in await changes(seeded)


async def test_a_transaction_writes_its_changes_with_one_insert_at_commit(
    seeded: Runtime, atendimento: httpx.AsyncClient
) -> None:
    inserts: list[str] = []

    def count(_conn: object, _cursor: object, statement: str, *_: object) -> None:
        if statement.lstrip().upper().startswith("INSERT INTO LIVE_CHANGES"):
            inserts.append(statement)

    engine = seeded.db("atendimento").engine.sync_engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        # The first message of a customer flushes many times (contact, conversation, message, SLA,
        # welcome automation, history...): one INSERT, at the commit.
        conversation_id = await open_conversation(atendimento)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert len(inserts) == 1
    kinds = [k for c, k in await changes(seeded) if c == conversation_id]
    assert len(kinds) == len(set(kinds))  # one row per kind, however many flushes touched it


async def test_one_row_per_conversation_and_kind_per_transaction_and_assignment_is_its_own_kind(
    seeded: Runtime, make_agent: MakeAgent
) -> None:
    agent = await make_agent()
    async with seeded.db("atendimento").session() as session:
        contacts = [Contact(phone=f"55119000000{n}") for n in range(2)]
        conversations = [Conversation(contact=c) for c in contacts]
        session.add_all(conversations)
        await session.flush()
        first, second = (c.id for c in conversations)
        session.add_all(
            Message(
                conversation_id=first, direction="inbound", sender_type="contact", delivery_status="received"
            )
            for _ in range(3)
        )
        await session.commit()
    # Two flushes (two new conversations; three messages of one of them), one row per pair.
    assert await changes(seeded) == [(first, "conversation"), (first, "message"), (second, "conversation")]

    await forget_changes(seeded)
    async with seeded.db("atendimento").session() as session:
        conversation = await session.get(Conversation, first)
        other = await session.get(Conversation, second)
        assert conversation is not None and other is not None
        conversation.assignee_id = agent.agent_id
        other.priority = "high"
        # Set to what it already is: no UPDATE, no change.
        other.level = other.level
        await session.commit()
    assert await changes(seeded) == [
        (first, "assignment"),
        (first, "conversation"),
        (second, "conversation"),
    ]

    # A label added: a change of the conversation's collection, not of its row.
    await forget_changes(seeded)
    async with seeded.db("atendimento").session() as session:
        label = Label(name="Urgente ao vivo")
        session.add(label)
        labelled = (
            await session.execute(
                select(Conversation)
                .where(Conversation.id == second)
                .options(selectinload(Conversation.labels))
            )
        ).scalar_one()
        labelled.labels.append(label)
        await session.commit()
    assert await changes(seeded) == [(second, "conversation")]


async def test_core_updates_of_the_sending_claim_are_recorded_explicitly(
    seeded: Runtime, atendimento: httpx.AsyncClient
) -> None:
    conversation_id = await open_conversation(atendimento)
    message_id = await outbound_message(seeded, conversation_id, "OUT-LV-2", status="queued")
    await forget_changes(seeded)
    assert await _claim(message_id)
    assert await changes(seeded) == [(conversation_id, "delivery")]
    # Lost claim (not queued any more): no update, no change.
    await forget_changes(seeded)
    assert not await _claim(message_id)
    assert await changes(seeded) == []

    async with seeded.db("atendimento").session() as session:
        recorder.record(session, ChangeKind.conversation, [conversation_id, conversation_id])
        await recorder.record_messages(session, ChangeKind.delivery, [message_id, message_id])
        await session.commit()
    # One row each (the messages' INSERT finds the conversation once; `record` writes at the commit).
    assert sorted(await changes(seeded)) == [(conversation_id, "conversation"), (conversation_id, "delivery")]


async def test_the_hub_sessions_carry_no_recorder(rt: Runtime) -> None:
    assert rt.db("atendimento").session_class is AtendimentoSession
    assert rt.db("integracoes").session_class is Session
    assert event.contains(AtendimentoSession, "after_flush", recorder._after_flush)
    assert not event.contains(Session, "after_flush", recorder._after_flush)
    async with rt.db("integracoes").session() as session:
        assert not session.sync_session.dispatch.after_flush


@pytest.mark.parametrize("quiet", [False, True])
async def test_pruning_drops_changes_older_than_ten_minutes_but_keeps_the_newest(
    seeded: Runtime, atendimento: httpx.AsyncClient, quiet: bool
) -> None:
    conversation_id = await open_conversation(atendimento)
    newest = await last_id(seeded)
    clock.advance(timedelta(minutes=11))
    if not quiet:
        async with seeded.db("atendimento").session() as session:
            recorder.record(session, ChangeKind.conversation, [conversation_id])
            await session.commit()
    async with seeded.db("atendimento").session() as session:
        assert await prune(session) >= 1
        await session.commit()
    async with seeded.db("atendimento").session() as session:
        left = (await session.execute(select(LiveChange.id))).scalars().all()
    if quiet:
        # Nothing happened since: the newest row stays, so a browser that saw it resumes.
        assert left == [newest]
    else:
        assert len(left) == 1 and left[0] > newest
