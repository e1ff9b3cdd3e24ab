"""The sandbox CRM under simultaneous lead creation behaves as the contract says (docs/contratos/crm.md):
one lead per phone, the others 422 "phone already used"; a repeated Idempotency-Key replays the first
answer, even while the first is still being answered; never a 500, and no personal data in its errors."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

import httpx
import pytest
from sqlalchemy.exc import IntegrityError

from carinho.sandbox.systems.store import Store, records
from tests.sandbox.harness import RunningSandbox

PHONE = "5511977776666"
NAME = "Benedita Quitéria"


def crm_headers(sandbox: RunningSandbox, key: str) -> dict[str, str]:
    return {"X-API-Key": sandbox.settings.system_api_key("crm"), "Idempotency-Key": key}


async def test_simultaneous_creations_of_one_phone_make_one_lead(
    sandbox: RunningSandbox, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)  # what the sandbox logs (aiosqlite's DEBUG traces every query)
    async with httpx.AsyncClient(base_url=sandbox.url, timeout=30) as http:
        answers = await asyncio.gather(
            *(
                http.post(
                    "/crm/api/v1/leads",
                    json={"phone": PHONE, "name": f"{NAME} {n}"},
                    headers=crm_headers(sandbox, f"create-{n}"),
                )
                for n in range(16)
            )
        )
        statuses = sorted(a.status_code for a in answers)
        assert statuses == [201] + [422] * 15, [a.text for a in answers]
        refused = next(a for a in answers if a.status_code == 422).json()
        assert refused["errors"] == {"phone": ["O campo phone já está sendo utilizado."]}
        found = (
            await http.get("/crm/api/v1/leads", params={"phone": PHONE}, headers=crm_headers(sandbox, "r"))
        ).json()
        assert found["meta"]["total"] == 1
    # What the sandbox logged (the test's own client logs the URLs it asks for, the phone included).
    logged = "\n".join(f"{r.getMessage()} {r.exc_text or ''}" for r in caplog.records if r.name != "httpx")
    assert NAME not in logged
    assert PHONE not in logged


async def test_a_repeated_key_in_flight_replays_the_first_answer(sandbox: RunningSandbox) -> None:
    async with httpx.AsyncClient(base_url=sandbox.url, timeout=30) as http:
        answers = await asyncio.gather(
            *(
                http.post(
                    "/crm/api/v1/leads",
                    json={"phone": "5511977775555", "name": NAME},
                    headers=crm_headers(sandbox, "the-same-key"),
                )
                for _ in range(12)
            )
        )
    assert {a.status_code for a in answers} == {201}
    assert len({a.json()["data"]["id"] for a in answers}) == 1
    assert sum(a.headers.get("Idempotent-Replayed") == "true" for a in answers) == 11


async def test_simultaneous_creations_of_many_phones_all_succeed(sandbox: RunningSandbox) -> None:
    async with httpx.AsyncClient(base_url=sandbox.url, timeout=30) as http:
        answers = await asyncio.gather(
            *(
                http.post(
                    "/crm/api/v1/leads",
                    json={"phone": f"55119700{n:05d}", "name": f"{NAME} {n}"},
                    headers=crm_headers(sandbox, f"many-{n}"),
                )
                for n in range(24)
            )
        )
    assert [a.status_code for a in answers] == [201] * 24
    assert len({a.json()["data"]["id"] for a in answers}) == 24


async def test_a_database_error_does_not_carry_the_records_data(tmp_path: Path) -> None:
    store = Store(tmp_path / "sandbox.sqlite3")
    try:
        first = await store.insert("crm", "leads", {"name": NAME, "phone": PHONE})
        row = {"system": "crm", "resource": "leads", "id": first["id"], "key": PHONE}
        with pytest.raises(IntegrityError) as raised:
            async with (await store.engine()).begin() as conn:
                data = f'{{"name": "{NAME}"}}'
                await conn.execute(records.insert().values(**row, updated_at="x", data=data))
        assert "UNIQUE" in str(raised.value)
        assert NAME not in str(raised.value) and PHONE not in str(raised.value)
    finally:
        await store.close()
