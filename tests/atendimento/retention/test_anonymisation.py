"""The daily anonymisation: what expired is scrubbed, what did not (and every active conversation)
is untouched, the aggregates still count the same, a re-run changes nothing, and a run goes in
batches that survive a crash."""

from __future__ import annotations

from datetime import datetime

import httpx
from sqlalchemy import select

from carinho.atendimento.agents.models import Role
from carinho.atendimento.funnel.models import FunnelTransition
from carinho.atendimento.history.models import HistoryEntry
from carinho.atendimento.history.service import Action
from carinho.atendimento.inbox.models import Contact, Conversation, Message
from carinho.atendimento.retention.anonymiser import STEPS
from carinho.atendimento.retention.models import DataClass, RetentionRun
from carinho.atendimento.retention.scrubbing import REMOVED, RETENTION_MARKER
from carinho.atendimento.retention.service import months_before, retention_service
from carinho.atendimento.retention.tasks import DAILY_RUN_JOB
from carinho.atendimento.triage.models import TriageAnswer, TriageSession
from carinho.runtime import Runtime
from carinho.worker import Lane, enqueue
from carinho.worker.jobs import get_job
from carinho.worker.scheduler import periodic_jobs
from tests.atendimento.conftest import OPEN_INSTANT, MakeAgent, freeze_at
from tests.atendimento.retention.conftest import (
    OLD,
    RECENT,
    SECRET_TEXT,
    FakeSource,
    lead,
    run_retention_jobs,
    snapshot,
)

SHORT = {"message_text": 24, "attachments": 12, "contact_data": 24, "audit_trail": 24}


async def daily_run(rt: Runtime) -> RetentionRun:
    """What the scheduler does once a day: enqueue the daily job; the chain of batches follows."""
    async with rt.db("atendimento").session() as session:
        await enqueue(session, DAILY_RUN_JOB, {})
        await session.commit()
    assert await run_retention_jobs(rt) >= 2
    async with rt.db("atendimento").session() as session:
        return (
            (await session.execute(select(RetentionRun).order_by(RetentionRun.id.desc()))).scalars().first()
        )


async def conversation_data(rt: Runtime, conversation_id: int) -> dict[str, object]:
    async with rt.db("atendimento").session() as session:
        conversation = await session.get(Conversation, conversation_id)
        assert conversation is not None
        contact = await session.get(Contact, conversation.contact_id)
        messages = (
            (
                await session.execute(
                    select(Message).where(Message.conversation_id == conversation_id).order_by(Message.id)
                )
            )
            .scalars()
            .all()
        )
        answers = (
            (
                await session.execute(
                    select(TriageAnswer.value)
                    .join(TriageSession, TriageSession.id == TriageAnswer.session_id)
                    .where(TriageSession.conversation_id == conversation_id)
                )
            )
            .scalars()
            .all()
        )
        notes = (
            (
                await session.execute(
                    select(FunnelTransition.note).where(FunnelTransition.conversation_id == conversation_id)
                )
            )
            .scalars()
            .all()
        )
        history = (
            (
                await session.execute(
                    select(HistoryEntry).where(
                        HistoryEntry.conversation_id == conversation_id,
                        HistoryEntry.action == "conversation.escalated",
                    )
                )
            )
            .scalars()
            .all()
        )
        return {
            "contact": (contact.id, contact.phone, contact.name, contact.email) if contact else None,
            "texts": [m.content for m in messages if m.direction == "inbound"],
            "notes": [m.content for m in messages if m.private],
            "media": [(m.media_url, m.media_caption) for m in messages if m.kind == "image"],
            "locations": [m.extra for m in messages if m.kind == "location"],
            "answers": list(answers),
            "funnel_notes": [n for n in notes if n],
            "escalation": (history[0].before, history[0].after, history[0].details, history[0].actor_type),
        }


async def test_expired_data_is_anonymised_and_the_rest_is_untouched(
    seeded: Runtime, atendimento: httpx.AsyncClient, make_agent: MakeAgent, fake_source: FakeSource
) -> None:
    supervisor = await make_agent(Role.supervisor)
    freeze_at(OPEN_INSTANT)
    assert (await supervisor.put("/api/privacy/retention", json={"policies": SHORT})).status_code == 200
    expired = await lead(seeded, atendimento, supervisor, "5511911110001", "OLD", at=OLD)
    active = await lead(seeded, atendimento, supervisor, "5511911110002", "ACT", at=OLD, resolve=False)
    recent = await lead(seeded, atendimento, supervisor, "5511911110003", "NEW", at=RECENT)
    freeze_at(OPEN_INSTANT)
    async with seeded.db("atendimento").session() as session:
        welcome = (
            (
                await session.execute(
                    select(Message).where(Message.conversation_id == expired, Message.direction == "outbound")
                )
            )
            .scalars()
            .first()
        )
        assert welcome is not None
        welcome.failure_reason = "Z-API 400: phone 5511911110001 does not exist"
        await session.commit()
    before = await snapshot(seeded)

    run = await daily_run(seeded)

    assert run.status == "done" and run.finished_at is not None and run.step == "finished"
    old = await conversation_data(seeded, expired)
    assert set(old["texts"]) == {RETENTION_MARKER}  # text and location card alike
    assert old["notes"] == [RETENTION_MARKER]
    assert old["media"] == [(None, None)]
    assert old["locations"] == [{}]
    assert old["answers"] == [None, None]
    assert old["funnel_notes"] == []
    async with seeded.db("atendimento").session() as session:
        reason = (
            await session.execute(select(Message.failure_reason).where(Message.id == welcome.id))
        ).scalar_one()
        assert reason == "Z-API 400: phone *** does not exist"
    contact_id, *pseudonymised = old["contact"]
    assert pseudonymised == [f"anon-{contact_id}", f"Contato anonimizado #{contact_id}", None]
    # The entry keeps who did what and when; only the personal value goes.
    assert old["escalation"] == (
        {"level": "N1"},
        {"level": "N2"},
        {"reason": REMOVED, "rule_id": 7},
        "system",
    )

    for untouched, phone in ((active, "5511911110002"), (recent, "5511911110003")):
        data = await conversation_data(seeded, untouched)
        assert any(SECRET_TEXT in (t or "") for t in data["texts"])
        assert data["media"][0][0] is not None and data["locations"][0]["location"]["address"]
        assert data["answers"] and None not in data["answers"]
        assert data["funnel_notes"] or untouched == recent  # a returning lead keeps its stage
        assert data["contact"][1:3] == (phone, "Maria Souza")
        assert data["escalation"][2]["reason"] == f"Maria Souza ligou do {phone}"

    # Aggregates: same rows, statuses, kinds, delivery statuses and timestamps.
    assert await snapshot(seeded) == before
    assert run.counts["message_text"] >= 6 and run.counts["attachments"] == 1
    assert run.counts["contact_data"] == 1 and run.counts["audit_trail"] >= 1
    cutoffs = {c: datetime.fromisoformat(v) for c, v in run.cutoffs.items()}
    assert cutoffs == {c: months_before(run.started_at, m) for c, m in SHORT.items()}
    assert sorted(c for c, _ in fake_source.anonymised) == sorted(c.value for c in DataClass)
    assert dict(fake_source.anonymised) == {c: cutoffs[c] for c in cutoffs}
    assert run.sources["fake_test"] == {c.value: 0 for c in DataClass}

    async with seeded.db("atendimento").session() as session:
        trail = (
            (await session.execute(select(HistoryEntry).where(HistoryEntry.action == Action.data_anonymised)))
            .scalars()
            .all()
        )
    assert len(trail) == 1  # one entry per run, not per row
    assert trail[0].details["run_id"] == run.id and trail[0].details["counts"] == run.counts

    # Idempotent: a second run finds nothing left and changes nothing.
    after_first = (await conversation_data(seeded, expired), await snapshot(seeded))
    second = await daily_run(seeded)
    assert second.id != run.id and second.status == "done"
    assert set(second.counts.values()) == {0}
    assert (await conversation_data(seeded, expired), await snapshot(seeded)) == after_first


async def test_a_run_goes_in_small_batches_and_resumes_after_a_crash(
    seeded: Runtime, atendimento: httpx.AsyncClient, make_agent: MakeAgent
) -> None:
    supervisor = await make_agent(Role.supervisor)
    freeze_at(OPEN_INSTANT)
    await supervisor.put("/api/privacy/retention", json={"policies": SHORT})
    for n in range(3):
        await lead(seeded, atendimento, supervisor, f"551192222000{n}", f"B{n}", at=OLD)
    freeze_at(OPEN_INSTANT)
    async with seeded.db("atendimento").session() as session:
        run = await retention_service.start_run(session, batch_size=2)
        await session.commit()
    # Three batches, each committed; then the worker "dies" (nothing is queued any more).
    for _ in range(3):
        async with seeded.db("atendimento").session() as session:
            assert await retention_service.advance(session, run.id) is not None
            await session.commit()
    async with seeded.db("atendimento").session() as session:
        midway = await retention_service.run(session, run.id)
        assert (midway.status, midway.step, midway.batches) == ("running", "messages", 3)
        assert midway.cursor > 0
        scrubbed_so_far = midway.counts["message_text"]
        assert scrubbed_so_far == 6

    resumed = await daily_run(seeded)  # the next day's tick resumes the same run

    assert resumed.id == run.id and resumed.status == "done"
    assert resumed.batches > len(STEPS)  # many small transactions
    assert resumed.counts["contact_data"] == 3 and resumed.counts["attachments"] == 3
    async with seeded.db("atendimento").session() as session:
        texts = (
            (
                await session.execute(
                    select(Message.content).where(Message.direction == "inbound", Message.kind == "text")
                )
            )
            .scalars()
            .all()
        )
    assert texts and set(texts) == {RETENTION_MARKER}


async def test_zero_months_keeps_a_class_forever(
    seeded: Runtime, atendimento: httpx.AsyncClient, make_agent: MakeAgent
) -> None:
    supervisor = await make_agent(Role.supervisor)
    freeze_at(OPEN_INSTANT)
    policies = {"message_text": 0, "attachments": None, "contact_data": 0, "audit_trail": 0}
    response = await supervisor.put("/api/privacy/retention", json={"policies": policies})
    assert {p["months"] for p in response.json()["policies"]} == {None}
    conversation_id = await lead(seeded, atendimento, supervisor, "5511933330000", "K", at=OLD)
    freeze_at(OPEN_INSTANT)
    run = await daily_run(seeded)
    assert set(run.counts.values()) == {0} and set(run.cutoffs.values()) == {None}
    data = await conversation_data(seeded, conversation_id)
    assert any(SECRET_TEXT in (t or "") for t in data["texts"])


async def test_audit_entries_of_a_conversation_active_for_years_are_scrubbed_when_it_ends(
    seeded: Runtime, atendimento: httpx.AsyncClient, make_agent: MakeAgent
) -> None:
    supervisor = await make_agent(Role.supervisor)
    freeze_at(OPEN_INSTANT)
    await supervisor.put("/api/privacy/retention", json={"policies": SHORT})
    conversation_id = await lead(seeded, atendimento, supervisor, "5511944440000", "L", at=OLD, resolve=False)
    freeze_at(OPEN_INSTANT)
    await daily_run(seeded)
    assert (await conversation_data(seeded, conversation_id))["escalation"][2]["reason"] != REMOVED

    assert (
        await supervisor.patch(f"/api/conversations/{conversation_id}", json={"status": "closed"})
    ).status_code == 200
    await run_retention_jobs(seeded)
    assert (await conversation_data(seeded, conversation_id))["escalation"][2]["reason"] == REMOVED


async def test_expired_exports_are_dropped_by_the_daily_run(
    seeded: Runtime, atendimento: httpx.AsyncClient, make_agent: MakeAgent
) -> None:
    admin = await make_agent(Role.admin)
    await lead(seeded, atendimento, admin, "5511955550000", "E", at=RECENT)
    freeze_at(OPEN_INSTANT)
    created = await admin.post(
        "/api/privacy/requests",
        json={"kind": "export", "phone": "5511955550000", "reason": "pedido por e-mail"},
    )
    request_id = created.json()["id"]
    await daily_run(seeded)
    assert (await admin.get(f"/api/privacy/requests/{request_id}/export.json")).status_code == 200
    freeze_at(OPEN_INSTANT.replace(day=9))  # the export lives 7 days by default
    run = await daily_run(seeded)
    assert run.details.get("expired_exports") == 1
    assert (await admin.get(f"/api/privacy/requests/{request_id}")).json()["export_available"] is False
    assert (await admin.get(f"/api/privacy/requests/{request_id}/export.json")).status_code == 404


def test_the_daily_job_runs_on_the_low_priority_lane() -> None:
    assert "atendimento.retention_daily" in periodic_jobs()
    assert get_job(DAILY_RUN_JOB).lane is Lane.atendimento_low
    assert get_job("atendimento.retention_step").lane is Lane.atendimento_low
