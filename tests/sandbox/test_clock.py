"""`/_sandbox/clock` moves the platform's clock (the processes of `carinho up` share it)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx

from carinho.kit import clock
from tests.sandbox.harness import RunningSandbox


async def test_the_clock_moves_to_an_instant_advances_and_resets(sandbox: RunningSandbox) -> None:
    async with httpx.AsyncClient(base_url=sandbox.url) as http:
        moved = await http.put("/_sandbox/clock", json={"now": "2026-12-01T13:00:00Z"})
        assert moved.status_code == 200
        assert abs(clock.utcnow() - datetime(2026, 12, 1, 13, 0, tzinfo=UTC)) < timedelta(minutes=1)
        before = clock.utcnow()
        advanced = await http.put("/_sandbox/clock", json={"advance_minutes": 90})
        assert advanced.status_code == 200
        assert timedelta(minutes=90) <= clock.utcnow() - before < timedelta(minutes=91)
        assert datetime.fromisoformat(advanced.json()["now"]) >= before + timedelta(minutes=90)
        reset = await http.delete("/_sandbox/clock")
        assert reset.status_code == 200 and abs(reset.json()["offset_seconds"]) < 1
        assert abs(clock.utcnow() - datetime.now(UTC)) < timedelta(seconds=1)


async def test_bad_clock_changes_are_clear_json_errors(sandbox: RunningSandbox) -> None:
    async with httpx.AsyncClient(base_url=sandbox.url) as http:
        both = await http.put("/_sandbox/clock", json={"now": "2026-12-01T13:00:00Z", "advance_minutes": 5})
        naive = await http.put("/_sandbox/clock", json={"now": "2026-12-01T13:00:00"})
        far = await http.put("/_sandbox/clock", json={"now": "2999-01-01T00:00:00Z"})
    assert both.status_code == 422 and naive.status_code == 422
    assert far.status_code == 400 and "10 anos" in far.json()["message"]
    assert abs(clock.utcnow() - datetime.now(UTC)) < timedelta(seconds=1)
