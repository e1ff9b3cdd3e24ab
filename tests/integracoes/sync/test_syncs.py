"""Module 5: each sync on the sandbox's data (a second run changes nothing), a change read
incrementally, a failing sync's alert and recovery, and the API."""

from __future__ import annotations

from typing import Any

import pytest
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy import select

from carinho.integracoes.sync.models import SyncAlert
from carinho.worker.scheduler import periodic_jobs
from tests.integracoes.platform import Platform, platform  # noqa: F401

# sync -> (target system, path of its upserts, how many sandbox records it moves)
SYNCS = {
    "crm_operacao_contracts": ("operacao", "/contracts/", 4),
    "operacao_financeiro_services": ("financeiro", "/billable-services/", 6),
    "crm_financeiro_billing": ("financeiro", "/subscriptions/", 4),
    "cuidadores_crm_caregivers": ("crm", "/caregivers/", 6),
}


async def run_sync(platform: Platform, name: str) -> dict[str, Any]:  # noqa: F811
    started = await platform.hub.post("/api/sync/start", json={"sync": name}, headers=platform.auth)
    assert started.status_code == 202, started.text
    assert started.json()["status"] == "queued"
    await platform.run_jobs()
    job = await platform.hub.get(f"/api/sync/jobs/{started.json()['id']}", headers=platform.auth)
    assert job.status_code == 200
    return dict(job.json())


async def upserts(platform: Platform, target: str, path: str) -> list[dict[str, Any]]:  # noqa: F811
    return [r for r in await platform.accepted(target, "PUT", "") if path in r["path"]]


@pytest.mark.parametrize("name", list(SYNCS))
async def test_a_sync_moves_the_sandbox_data_once(platform: Platform, name: str) -> None:  # noqa: F811
    target, path, count = SYNCS[name]
    first = await run_sync(platform, name)
    assert first["status"] == "succeeded", first["errors"]
    assert (first["read"], first["created"], first["updated"], first["skipped"], first["failed"]) == (
        count,
        count,
        0,
        0,
        0,
    )
    assert first["duration_ms"] is not None and first["watermark_to"] is not None
    written = await upserts(platform, target, path)
    assert len(written) == count
    assert all(r["headers"]["idempotency-key"].startswith(f"sync.{name}.") for r in written)

    second = await run_sync(platform, name)
    assert second["status"] == "succeeded"
    assert (second["read"], second["created"], second["updated"], second["failed"]) == (0, 0, 0, 0)
    assert second["watermark_from"] == first["watermark_to"]
    assert len(await upserts(platform, target, path)) == count


async def test_contracts_reach_operacao_with_client_and_schedules(platform: Platform) -> None:  # noqa: F811
    await run_sync(platform, "crm_operacao_contracts")
    [contract] = [
        r for r in await upserts(platform, "operacao", "/contracts/") if r["path"].endswith("/contracts/2")
    ]
    body = contract["body"]
    assert body["client_name"] == "José Carlos Oliveira" and body["service_type"] == "cuidador_noturno"
    assert body["address"]["neighborhood"] == "Moema"
    assert len(body["schedules"]) == 7 and body["schedules"][0]["start_time"] == "19:00"


async def test_a_changed_record_is_read_again_and_updated(platform: Platform) -> None:  # noqa: F811
    await run_sync(platform, "cuidadores_crm_caregivers")
    key = {"X-API-Key": platform.settings.system_api_key("cuidadores"), "Idempotency-Key": "rate-1"}
    rated = await platform.box.post(
        "/cuidadores/api/v1/caregivers/3/feedback", json={"service_id": "77", "rating": 4}, headers=key
    )
    assert rated.status_code == 201, rated.text
    changed = await run_sync(platform, "cuidadores_crm_caregivers")
    assert (changed["read"], changed["created"], changed["updated"], changed["skipped"]) == (1, 0, 1, 0)
    last = (await upserts(platform, "crm", "/caregivers/3"))[-1]
    assert last["body"]["rating_avg"] == 4.0


async def test_a_failing_sync_raises_an_alert_and_the_next_run_catches_up(
    platform: Platform,  # noqa: F811
) -> None:
    await platform.fault("operacao", fail_next=1, fail_status=503)
    failed = await run_sync(platform, "crm_operacao_contracts")
    assert failed["status"] == "partial"
    assert (failed["read"], failed["created"], failed["failed"]) == (4, 3, 1)
    assert failed["errors"][0]["source_id"] == "1" and "503" in failed["errors"][0]["error"]
    async with platform.rt.db("integracoes").session() as session:
        [alert] = (await session.execute(select(SyncAlert))).scalars().all()
    assert alert.name == "crm_operacao_contracts" and alert.sync_job_id == failed["id"]
    stats = (await platform.hub.get("/api/sync/stats", headers=platform.auth)).json()
    assert stats["failing"] == ["crm_operacao_contracts"]
    assert stats["recent_alerts"][0]["sync_job_id"] == failed["id"]

    caught_up = await run_sync(platform, "crm_operacao_contracts")
    assert caught_up["status"] == "succeeded"
    # The failed contract (the oldest) is read again and written; the others are unchanged.
    assert (caught_up["read"], caught_up["created"], caught_up["skipped"]) == (4, 1, 3)
    assert len(await upserts(platform, "operacao", "/contracts/1")) == 1
    stats = (await platform.hub.get("/api/sync/stats", headers=platform.auth)).json()
    assert stats["failing"] == []

    await platform.fault("crm", down=True)
    down = await run_sync(platform, "crm_financeiro_billing")
    assert down["status"] == "failed" and down["read"] == 0
    assert "reading crm" in down["errors"][0]["error"]


async def test_the_sync_api(platform: Platform) -> None:  # noqa: F811
    unknown = await platform.hub.post("/api/sync/start", json={"sync": "nope"}, headers=platform.auth)
    assert unknown.status_code == 422 and "crm_operacao_contracts" in unknown.text
    assert (await platform.hub.get("/api/sync/jobs/999", headers=platform.auth)).status_code == 404
    assert (await platform.hub.get("/api/sync/jobs")).status_code == 401
    await run_sync(platform, "operacao_financeiro_services")
    await run_sync(platform, "operacao_financeiro_services")
    page = (await platform.hub.get("/api/sync/jobs", params={"limit": 1}, headers=platform.auth)).json()
    assert len(page["items"]) == 1 and page["next_cursor"] == page["items"][0]["id"]
    older = await platform.hub.get(
        "/api/sync/jobs", params={"before": page["next_cursor"]}, headers=platform.auth
    )
    assert [j["read"] for j in older.json()["items"]] == [6]
    stats = (await platform.hub.get("/api/sync/stats", headers=platform.auth)).json()
    by_name = {s["sync"]: s for s in stats["syncs"]}
    assert set(by_name) == set(SYNCS)
    assert by_name["operacao_financeiro_services"]["runs_last_24h"] == {"succeeded": 2}
    assert by_name["crm_operacao_contracts"]["last_run"] is None


def test_each_sync_is_scheduled_at_the_seed_interval() -> None:
    scheduled = {
        job.args["name"]: job for job in periodic_jobs().values() if job.job == "integracoes.run_sync"
    }
    hours = {
        name: job.trigger.interval.total_seconds() / 3600
        for name, job in scheduled.items()
        if isinstance(job.trigger, IntervalTrigger) and job.args
    }
    assert hours == {
        "crm_operacao_contracts": 1,
        "operacao_financeiro_services": 24,
        "crm_financeiro_billing": 12,
        "cuidadores_crm_caregivers": 4,
    }
