"""The hub's retention: events settled more than INTEGRACOES_EVENT_RETENTION_DAYS ago lose their
personal content (payload, raw body, errors, step outputs but their ids), keep what an audit needs,
in batches chained through the outbox; running again changes nothing."""

from __future__ import annotations

import json
from datetime import timedelta

import httpx
import pytest
from sqlalchemy import update

from carinho.integracoes.events.models import IntegrationEvent
from carinho.integracoes.flows.models import EventStep
from carinho.integracoes.privacy import service as privacy_service
from carinho.integracoes.privacy.repository import ids_only
from carinho.integracoes.privacy.service import RETENTION_JOB, hub_privacy_service
from carinho.kit import clock
from carinho.runtime import Runtime
from carinho.worker import enqueue
from tests.integracoes.processing import event_row, submit_event
from tests.support.jobs import drain

PERSONAL = {"name": "Rosa Maria Souza", "phone": "5511912345678", "text": "Minha mãe tem Alzheimer"}


async def _daily_run(rt: Runtime) -> None:
    """What the scheduler does each day: enqueue the job, then the workers run it (and its chain)."""
    async with rt.db("integracoes").session() as session:
        await enqueue(session, RETENTION_JOB, {}, dedupe_key=f"test:retention:{clock.utcnow().isoformat()}")
        await session.commit()
    await drain(rt, ("integracoes",))


async def _detail(hub: httpx.AsyncClient, auth: dict[str, str], event_id: int) -> dict:
    response = await hub.get(f"/api/events/{event_id}", headers=auth)
    assert response.status_code == 200, response.text
    return response.json()


async def test_settled_events_are_anonymised_after_the_retention_and_keep_their_audit_fields(
    rt: Runtime, hub: httpx.AsyncClient, auth: dict[str, str]
) -> None:
    assert rt.settings.integracoes_event_retention_days == 30
    try:
        old = await submit_event(hub, auth, payload=dict(PERSONAL))
        ignored = await submit_event(hub, auth, event_type="tests.nobody_handles", payload=dict(PERSONAL))
        await drain(rt, ("integracoes",))
        async with rt.db("integracoes").session() as session:  # a step output with ids and personal data
            await session.execute(
                update(EventStep)
                .where(EventStep.event_id == old)
                .values(output=json.dumps({"lead_id": "L-9", "name": "Rosa", "status": "created"}))
            )
            await session.execute(
                update(IntegrationEvent)
                .where(IntegrationEvent.id == old)
                .values(last_error="Rosa 5511912345678")
            )
            await session.commit()
        before = await _detail(hub, auth, old)
        assert before["status"] == "processed" and before["payload"] == PERSONAL
        assert (await _detail(hub, auth, ignored))["status"] == "ignored"

        clock.advance(timedelta(days=29))
        recent = await submit_event(hub, auth, payload=dict(PERSONAL))
        await drain(rt, ("integracoes",))
        await _daily_run(rt)
        assert (await _detail(hub, auth, old))["payload"] == PERSONAL  # 29 days: kept

        clock.advance(timedelta(days=2))
        await _daily_run(rt)
        for event_id in (old, ignored):
            after = await _detail(hub, auth, event_id)
            text = json.dumps(after, ensure_ascii=False)
            assert "Rosa" not in text and "5511912345678" not in text and "Alzheimer" not in text
            assert after["payload"]["anonimizado"] is True and after["payload"]["motivo"] == "retention"
            assert after["anonymised_at"] is not None
        audit = await _detail(hub, auth, old)
        for field in ("id", "source", "type", "status", "idempotency_key", "created_at", "processed_at"):
            assert audit[field] == before[field], field
        assert [s["status"] for s in audit["steps"]] == [s["status"] for s in before["steps"]]
        assert audit["steps"][0]["output"] == {"lead_id": "L-9", "status": "created"}
        assert audit["last_error"] == "[anonimizado]"
        assert (await _detail(hub, auth, recent))["payload"] == PERSONAL  # 2 days old: kept
        first = (await event_row(rt, old)).anonymised_at

        await _daily_run(rt)  # again: nothing more changes
        assert (await event_row(rt, old)).anonymised_at == first
    finally:
        clock.reset()


async def test_the_run_goes_batch_by_batch_and_skips_events_not_settled(
    rt: Runtime, hub: httpx.AsyncClient, auth: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(privacy_service, "BATCH_SIZE", 2)
    try:
        ids = [await submit_event(hub, auth, payload=dict(PERSONAL, n=i)) for i in range(5)]
        await drain(rt, ("integracoes",))
        unprocessed = await submit_event(hub, auth, payload=dict(PERSONAL))
        await drain(rt, ("integracoes",))
        async with rt.db("integracoes").session() as session:  # a step failed: a retry is due
            await session.execute(
                update(IntegrationEvent).where(IntegrationEvent.id == unprocessed).values(status="failed")
            )
            await session.commit()
        clock.advance(timedelta(days=31))
        async with rt.db("integracoes").session() as session:
            changed = await hub_privacy_service.retention_batch(session)
            await session.commit()
        assert changed == 2
        await drain(rt, ("integracoes",))  # the chained batches
        rows = [await event_row(rt, i) for i in ids]
        assert all(r.anonymised_at is not None for r in rows)
        still = await event_row(rt, unprocessed)
        assert still.anonymised_at is None and still.status == "failed"
    finally:
        clock.reset()


async def test_no_retention_when_the_days_are_zero(
    rt: Runtime, hub: httpx.AsyncClient, auth: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(hub_privacy_service, "retention_days", lambda: 0)
    try:
        event_id = await submit_event(hub, auth, payload=dict(PERSONAL))
        await drain(rt, ("integracoes",))
        clock.advance(timedelta(days=3650))
        await _daily_run(rt)
        assert (await event_row(rt, event_id)).anonymised_at is None
    finally:
        clock.reset()


def test_a_step_output_keeps_its_ids_statuses_and_counters_only() -> None:
    output = {
        "lead_id": "L-1",
        "status": "created",
        "name": "Rosa",
        "contact": {"phone": "5511912345678", "crm_id": 7},
        "items": [{"id": 3, "text": "oi"}],
        "sent_count": 2,
    }
    assert json.loads(ids_only(json.dumps(output)) or "null") == {
        "lead_id": "L-1",
        "status": "created",
        "contact": {"crm_id": 7},
        "sent_count": 2,
    }
    assert ids_only(json.dumps({"name": "Rosa"})) is None
    assert ids_only("not json") is None
