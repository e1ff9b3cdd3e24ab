"""The messages of a conversation reach the customer's phone in the order they were written — in
bursts, under Z-API's rate limit, through Z-API failures and retries, with the send jobs running
concurrently — while other conversations go out in parallel; after a message failed for good, the
rest go on, marked."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from carinho import runtime
from carinho.atendimento.agents.models import Role
from carinho.atendimento.history.actor import Actor
from carinho.atendimento.inbox.models import Message
from carinho.atendimento.inbox.outbound import outbound_service
from carinho.atendimento.inbox.send_order import SEND_NEXT_JOB
from carinho.atendimento.inbox.sending import deliver
from carinho.atendimento.inbox.service import inbox_service
from carinho.kit import clock
from carinho.runtime import Runtime
from carinho.worker.executor import run_outbox_message
from tests.atendimento.conftest import (
    OPEN_INSTANT,
    Api,
    MakeAgent,
    Simulators,
    freeze_at,
    post_webhook,
    received,
)
from tests.sandbox.harness import revalidated
from tests.support.jobs import due_ids, outbox_rows


async def run_jobs_concurrently(rt: Runtime, rounds: int = 2000) -> None:
    """Every due job of atendimento, each round's jobs all at once (claims race, sends interleave)."""
    for _ in range(rounds):
        ids = await due_ids(rt, "atendimento")
        if not ids:
            return
        await asyncio.gather(*(run_outbox_message("atendimento", outbox_id) for outbox_id in ids))
    raise AssertionError("jobs keep coming")


async def open_conversation(atendimento: httpx.AsyncClient, phone: str, message_id: str) -> int:
    response = await post_webhook(atendimento, received(message_id, phone=phone))
    assert response.status_code == 200, response.text
    return int(response.json()["conversation_id"])


async def write(agent: Api, conversation_id: int, texts: list[str]) -> list[int]:
    ids = []
    for text in texts:
        reply = await agent.post(f"/api/conversations/{conversation_id}/messages", json={"text": text})
        assert reply.status_code == 202, reply.text
        ids.append(int(reply.json()["id"]))
    return ids


async def phone_got(simulators: Simulators, phone: str) -> list[str]:
    """What the customer's phone received, in the order Z-API accepted the sends."""
    return await simulators.whatsapp_texts(phone)


async def rows(rt: Runtime, ids: list[int]) -> list[Message]:
    async with rt.db("atendimento").session() as session:
        found = (await session.execute(select(Message).where(Message.id.in_(ids)))).scalars().all()
    return sorted(found, key=lambda m: ids.index(m.id))


async def zapi_faults(simulators: Simulators, **values: object) -> None:
    response = await simulators.http.put("/_sandbox/zapi/faults", json=values)
    assert response.status_code == 200, response.text


async def until_sent(rt: Runtime, ids: list[int], *, step: timedelta) -> None:
    """Run the jobs, moving the clock past retry waits and rate-limit slots, until every message is
    final."""
    for _ in range(60):
        await run_jobs_concurrently(rt)
        statuses = {m.delivery_status for m in await rows(rt, ids)}
        if statuses <= {"sent", "failed"}:
            return
        clock.advance(step)
    raise AssertionError(f"still not sent: {statuses}")


async def test_twelve_quick_replies_arrive_in_order_through_failures_and_retries(
    simulators: Simulators, atendimento: httpx.AsyncClient, make_agent: MakeAgent
) -> None:
    rt = simulators.rt
    phone = "5511955561001"
    freeze_at(OPEN_INSTANT)
    agent = await make_agent(Role.supervisor)
    conversation_id = await open_conversation(atendimento, phone, "ORD-1")
    texts = [f"Resposta {n}" for n in range(1, 13)]
    ids = await write(agent, conversation_id, texts)
    await run_jobs_concurrently(rt)  # the welcome, then the first replies go out
    first = [m.delivery_status for m in await rows(rt, ids)]
    assert "sent" in first

    # Z-API fails the next three sends: the message being sent waits for its retry, and so does
    # everything written after it — nothing overtakes it.
    await zapi_faults(simulators, fail_next=3, fail_status=503)
    for n in range(1, 3):
        ids += await write(agent, conversation_id, [f"Resposta extra {n}"])
    texts += ["Resposta extra 1", "Resposta extra 2"]
    await run_jobs_concurrently(rt)
    waiting = [m for m in await rows(rt, ids) if m.delivery_status == "queued"]
    assert waiting and waiting[0].send_attempts >= 1 and waiting[0].failure_reason
    assert all(m.send_attempts == 0 for m in waiting[1:])  # its successors were never tried
    async with rt.db("atendimento").session() as session:  # a successor's own job: not its turn
        assert (await deliver(session, waiting[-1].id, 1)).status == "waiting"
    await until_sent(rt, ids, step=timedelta(minutes=11))

    got = await phone_got(simulators, phone)
    assert got[1:] == texts  # after the welcome, exactly what was written, in order, once each
    assert all(m.delivery_status == "sent" for m in await rows(rt, ids))


@pytest.mark.slow
async def test_a_burst_of_seventy_keeps_its_order_under_the_rate_limit_and_failures(
    simulators: Simulators, atendimento: httpx.AsyncClient, make_agent: MakeAgent
) -> None:
    rt = runtime.configure(revalidated(simulators.rt.settings, zapi_send_rate_per_minute=12))
    freeze_at(OPEN_INSTANT)
    agent = await make_agent(Role.supervisor)
    burst_phone, other_phone = "5511955562001", "5511955562002"
    burst = await open_conversation(atendimento, burst_phone, "ORD-70")
    other = await open_conversation(atendimento, other_phone, "ORD-OTHER")
    burst_texts = [f"Mensagem {n:02d}" for n in range(1, 71)]
    other_texts = [f"Outra conversa {n}" for n in range(1, 11)]
    ids: list[int] = []
    for index, text in enumerate(burst_texts):  # both written at once, interleaved
        ids += await write(agent, burst, [text])
        if index % 7 == 0 and index // 7 < len(other_texts):
            ids += await write(agent, other, [other_texts[index // 7]])
        if index == 20:  # Z-API refuses for a while: rate limited (429) then down (503)
            await zapi_faults(simulators, fail_next=2, fail_status=429, retry_after=1)
        if index == 45:
            await zapi_faults(simulators, fail_next=2, fail_status=503)
    await until_sent(rt, ids, step=timedelta(minutes=3))

    assert (await phone_got(simulators, burst_phone))[1:] == burst_texts
    assert (await phone_got(simulators, other_phone))[1:] == other_texts
    sent = await rows(rt, ids)
    assert all(m.delivery_status == "sent" for m in sent)
    assert max(m.send_attempts for m in sent) <= 3  # rate-limited tries are not attempts


async def test_other_conversations_do_not_wait_for_a_failing_one(
    simulators: Simulators, atendimento: httpx.AsyncClient, make_agent: MakeAgent
) -> None:
    rt = simulators.rt
    freeze_at(OPEN_INSTANT)
    agent = await make_agent(Role.supervisor)
    stuck_phone, free_phone = "5511955563001", "5511955563002"
    stuck = await open_conversation(atendimento, stuck_phone, "PAR-1")
    free = await open_conversation(atendimento, free_phone, "PAR-2")
    await run_jobs_concurrently(rt)  # both welcomes
    await zapi_faults(simulators, fail_next=1, fail_status=503)
    stuck_ids = await write(agent, stuck, ["A1", "A2", "A3"])
    await run_jobs_concurrently(rt)  # A1 fails, waits for its retry; A2 and A3 wait behind it
    free_ids = await write(agent, free, ["B1", "B2", "B3"])
    await run_jobs_concurrently(rt)
    assert [m.delivery_status for m in await rows(rt, free_ids)] == ["sent"] * 3
    assert [m.delivery_status for m in await rows(rt, stuck_ids)] == ["queued"] * 3
    clock.advance(timedelta(seconds=31))
    await run_jobs_concurrently(rt)
    assert (await phone_got(simulators, stuck_phone))[1:] == ["A1", "A2", "A3"]
    assert (await phone_got(simulators, free_phone))[1:] == ["B1", "B2", "B3"]


async def test_after_a_message_failed_for_good_the_rest_go_on_marked(
    simulators: Simulators, atendimento: httpx.AsyncClient, make_agent: MakeAgent
) -> None:
    rt = simulators.rt
    phone = "5511955564001"
    freeze_at(OPEN_INSTANT)
    supervisor = await make_agent(Role.supervisor)
    conversation_id = await open_conversation(atendimento, phone, "FAIL-1")
    await run_jobs_concurrently(rt)
    await zapi_faults(simulators, fail_next=1, fail_status=400, fail_body={"error": "Invalid phone"})
    refused, after, later = await write(supervisor, conversation_id, ["Recusada", "Depois", "Mais tarde"])
    await run_jobs_concurrently(rt)
    by_id = {m.id: m for m in await rows(rt, [refused, after, later])}
    assert by_id[refused].delivery_status == "failed"
    assert (by_id[after].delivery_status, by_id[later].delivery_status) == ("sent", "sent")
    assert by_id[after].extra.get("sent_after_failed") == refused
    assert "sent_after_failed" not in by_id[later].extra
    assert (await phone_got(simulators, phone))[1:] == ["Depois", "Mais tarde"]
    failed = (await supervisor.get("/api/messages/failed")).json()
    assert [m["id"] for m in failed] == [refused]
    alerts = (await supervisor.get("/api/alerts")).json()
    assert [a["message_id"] for a in alerts if a["kind"] == "message_send_failed"] == [refused]

    # A person re-sends it: it goes (after the others, as the mark warned), and once.
    assert (await supervisor.post(f"/api/messages/{refused}/retry")).status_code == 202
    await run_jobs_concurrently(rt)
    assert (await phone_got(simulators, phone))[1:] == ["Depois", "Mais tarde", "Recusada"]


async def test_a_message_written_while_another_is_uncommitted_waits_for_its_commit(
    simulators: Simulators, atendimento: httpx.AsyncClient, make_agent: MakeAgent
) -> None:
    """Two transactions writing to one conversation: the second waits for the first to commit, so
    the ids — the send order — are the order of the commits, and what the thread shows."""
    rt = simulators.rt
    phone = "5511955565001"
    freeze_at(OPEN_INSTANT)
    agent = await make_agent(Role.supervisor)
    conversation_id = await open_conversation(atendimento, phone, "SAME-1")
    db = rt.db("atendimento")

    async def write_in(session: AsyncSession, text: str) -> int:
        conversation = await inbox_service.get(session, conversation_id)
        message = await outbound_service.queue(session, conversation, Actor.system(), content=text)
        return message.id

    async with db.session() as first:
        first_id = await write_in(first, "Primeira")

        async def second() -> int:
            async with db.session() as session:
                message_id = await write_in(session, "Segunda")
                await session.commit()
                return message_id

        task = asyncio.create_task(second())
        await asyncio.sleep(1.0)
        assert not task.done()  # held until the first one commits
        await first.commit()
    second_id = await task
    assert first_id < second_id
    await run_jobs_concurrently(rt)
    assert (await phone_got(simulators, phone))[1:] == ["Primeira", "Segunda"]
    thread = (await agent.get(f"/api/conversations/{conversation_id}/messages")).json()
    assert [m["content"] for m in thread if m["sender_type"] == "system"] == ["Primeira", "Segunda"]


async def test_after_a_send_interrupted_by_a_crash_the_rest_go_on(
    simulators: Simulators, atendimento: httpx.AsyncClient, make_agent: MakeAgent
) -> None:
    from sqlalchemy import update

    from carinho.atendimento.inbox.sending import fail_stuck_sends

    rt = simulators.rt
    phone = "5511955566001"
    freeze_at(OPEN_INSTANT)
    agent = await make_agent(Role.supervisor)
    conversation_id = await open_conversation(atendimento, phone, "CRASH-1")
    await run_jobs_concurrently(rt)
    interrupted, after = await write(agent, conversation_id, ["Interrompida", "Depois da queda"])
    async with rt.db("atendimento").session() as session:  # the process died right after the claim
        await session.execute(
            update(Message).where(Message.id == interrupted).values(delivery_status="sending")
        )
        await session.commit()
    await run_jobs_concurrently(rt)
    assert [m.delivery_status for m in await rows(rt, [interrupted, after])] == ["sending", "queued"]
    clock.advance(timedelta(minutes=15))
    async with rt.db("atendimento").session() as session:
        assert await fail_stuck_sends(session) == 1
        await session.commit()
    await run_jobs_concurrently(rt)
    assert [m.delivery_status for m in await rows(rt, [interrupted, after])] == ["failed", "sent"]
    assert (await phone_got(simulators, phone))[1:] == ["Depois da queda"]


async def test_a_conversation_whose_next_message_lost_its_job_is_restarted_by_the_sweep(
    simulators: Simulators, atendimento: httpx.AsyncClient, make_agent: MakeAgent
) -> None:
    from sqlalchemy import update

    from carinho.atendimento.inbox.tasks import sweep_stuck_sends

    rt = simulators.rt
    phone = "5511955567001"
    freeze_at(OPEN_INSTANT)
    agent = await make_agent(Role.supervisor)
    conversation_id = await open_conversation(atendimento, phone, "LOST-1")
    await run_jobs_concurrently(rt)
    [lost] = await write(agent, conversation_id, ["Perdida"])
    outbox = rt.spec("atendimento").outbox
    async with rt.db("atendimento").session() as session:  # its job failed for an unexpected reason
        await session.execute(update(outbox).where(outbox.status == "pending").values(status="failed"))
        await session.commit()
    await run_jobs_concurrently(rt)
    assert (await rows(rt, [lost]))[0].delivery_status == "queued"
    clock.advance(timedelta(minutes=11))
    async with rt.db("atendimento").session() as session:
        await sweep_stuck_sends(session)
        await session.commit()
    await run_jobs_concurrently(rt)
    assert (await rows(rt, [lost]))[0].delivery_status == "sent"
    assert (await phone_got(simulators, phone))[1:] == ["Perdida"]


async def test_a_message_sent_with_none_behind_it_needs_no_next_job_on_sqlite(
    simulators: Simulators, atendimento: httpx.AsyncClient, make_agent: MakeAgent
) -> None:
    """On SQLite the sending transaction holds the write lock from its start: when it sees no
    pending message left, no `send_next` job is queued; one that is pending still gets one."""
    rt = simulators.rt
    freeze_at(OPEN_INSTANT)
    agent = await make_agent(Role.supervisor)
    conversation_id = await open_conversation(atendimento, "5511955561009", "ORD-NEXT")
    await run_jobs_concurrently(rt)  # the welcome goes, alone
    [first] = await write(agent, conversation_id, ["Primeira"])
    [second] = await write(agent, conversation_id, ["Segunda"])
    await run_jobs_concurrently(rt)
    assert [m.delivery_status for m in await rows(rt, [first, second])] == ["sent", "sent"]
    assert (await phone_got(simulators, "5511955561009"))[1:] == ["Primeira", "Segunda"]
    next_jobs = [row for row in await outbox_rows(rt, "atendimento") if row.job == SEND_NEXT_JOB]
    after = sorted(row.args["after_message_id"] for row in next_jobs)
    if rt.db("atendimento").backend == "sqlite":
        assert after == [first]  # the welcome and the second had none pending behind them
    else:
        assert len(after) == 3  # the server databases queue it after every send
