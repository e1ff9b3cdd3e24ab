"""The per-instance send limit: the boundary, and sharing across clients, event loops and processes
(a file under a lock without Redis, Redis with it)."""

from __future__ import annotations

import asyncio
import sys
from datetime import timedelta

import pytest

from carinho.connectors.errors import ConnectorPaced, ConnectorRateLimited
from carinho.connectors.zapi.client import ZapiClient
from carinho.connectors.zapi.ratelimit import WINDOW_SECONDS, decide
from carinho.kit import clock
from tests.sandbox.harness import RunningSandbox, revalidated

PHONE = "5511987654321"


async def test_the_limit_allows_exactly_n_sends_per_minute(sandbox: RunningSandbox) -> None:
    settings = sandbox.client_settings(zapi_send_rate_per_minute=3)
    async with ZapiClient(settings) as client:
        for _ in range(3):
            await client.send_text(PHONE, "Olá")
        with pytest.raises(ConnectorRateLimited) as caught:
            await client.send_text(PHONE, "Olá")

    assert caught.value.retryable
    assert caught.value.retry_after is not None and 0 < caught.value.retry_after <= 60
    assert len(sandbox.state.zapi.sent) == 3


async def test_the_limit_is_per_instance_and_shared_by_clients_in_a_process(sandbox: RunningSandbox) -> None:
    settings = sandbox.client_settings(zapi_send_rate_per_minute=2)
    async with ZapiClient(settings) as first, ZapiClient(settings) as second:
        await first.send_text(PHONE, "1")
        await second.send_text(PHONE, "2")
        with pytest.raises(ConnectorRateLimited):
            await first.send_text(PHONE, "3")
    other_instance = revalidated(settings, zapi_instance_id="F" * 32)
    assert await ZapiClient(other_instance).limiter.remaining() == 2


async def test_the_limit_is_shared_through_redis(
    sandbox: RunningSandbox, redis_url: str, redis_namespace: str
) -> None:
    settings = sandbox.client_settings(
        zapi_send_rate_per_minute=2,
        redis_url=redis_url,
        redis_namespace=redis_namespace,
    )
    async with ZapiClient(settings) as first, ZapiClient(settings) as second:
        await first.send_text(PHONE, "1")
        assert await second.limiter.remaining() == 1
        await second.send_text(PHONE, "2")
        with pytest.raises(ConnectorRateLimited):
            await first.send_text(PHONE, "3")
    assert len(sandbox.state.zapi.sent) == 2


async def test_the_window_is_shared_by_event_loops_of_the_process(sandbox: RunningSandbox) -> None:
    """API requests and jobs run on different event loops of one process; they share the window."""
    settings = sandbox.client_settings(zapi_send_rate_per_minute=2)

    async def send_from_another_loop() -> None:
        async with ZapiClient(settings) as client:
            await client.send_text(PHONE, "de outro loop")

    await asyncio.to_thread(asyncio.run, send_from_another_loop())
    async with ZapiClient(settings) as client:
        await client.send_text(PHONE, "deste loop")
        with pytest.raises(ConnectorRateLimited):
            await client.send_text(PHONE, "demais")
    assert len(sandbox.state.zapi.sent) == 2


async def test_without_redis_the_window_is_shared_by_the_processes_of_carinho_up(
    sandbox: RunningSandbox,
) -> None:
    """`carinho up` runs the hub and atendimento in processes of their own, both sending to the same
    instance: sends another process took count here (each process's memory let them send twice)."""
    settings = sandbox.client_settings(zapi_send_rate_per_minute=3)
    script = (
        "import asyncio, sys\n"
        "from pathlib import Path\n"
        "from carinho.config import Settings\n"
        "from carinho.connectors.zapi.ratelimit import SendRateLimiter\n"
        "settings = Settings(_env_file=None, carinho_data_dir=Path(sys.argv[1]),\n"
        "    zapi_instance_id=sys.argv[2], zapi_send_rate_per_minute=3)\n"
        "limiter = SendRateLimiter(settings)\n"
        "asyncio.run(limiter.acquire())\n"
        "asyncio.run(limiter.acquire())\n"
    )
    other = await asyncio.create_subprocess_exec(
        sys.executable, "-c", script, str(settings.carinho_data_dir), settings.zapi_instance_id
    )
    assert await other.wait() == 0
    async with ZapiClient(settings) as client:
        assert await client.limiter.remaining() == 1
        await client.send_text(PHONE, "o terceiro do minuto")
        with pytest.raises(ConnectorRateLimited):
            await client.send_text(PHONE, "um a mais")
    assert len(sandbox.state.zapi.sent) == 1


@pytest.mark.usefixtures("still_clock")
@pytest.mark.parametrize("shared", [False, True], ids=["file", "redis"])
async def test_a_paced_send_answers_at_once_with_its_own_slot_and_takes_it_when_due(
    sandbox: RunningSandbox, shared: bool, request: pytest.FixtureRequest
) -> None:
    """No waiting in the caller: over the limit each keyed send reserves the next slot, 60/rate s
    apart and in order, and sends when it comes back at its time; a later send queues behind."""
    overrides: dict[str, object] = {"zapi_send_rate_per_minute": 2}
    if shared:
        overrides |= {
            "redis_url": request.getfixturevalue("redis_url"),
            "redis_namespace": request.getfixturevalue("redis_namespace"),
        }
    settings = sandbox.client_settings(**overrides)
    waits: dict[str, float] = {}
    for n in range(5):
        async with ZapiClient(settings, pacing_key=f"msg-{n}") as client:
            try:
                await client.send_text(PHONE, str(n))
            except ConnectorPaced as paced:
                waits[f"msg-{n}"] = paced.retry_after or 0
    assert waits == {"msg-2": 60.0, "msg-3": 90.0, "msg-4": 120.0}
    assert len(sandbox.state.zapi.sent) == 2

    clock.advance(timedelta(seconds=60))
    async with ZapiClient(settings, pacing_key="msg-3") as early:
        with pytest.raises(ConnectorPaced) as caught:  # not its turn yet: the same slot
            await early.send_text(PHONE, "3")
    assert caught.value.retry_after == 30.0
    async with ZapiClient(settings, pacing_key="msg-2") as due:
        await due.send_text(PHONE, "2")
    async with ZapiClient(settings, pacing_key="msg-5") as newcomer:
        with pytest.raises(ConnectorPaced) as caught:  # behind the ones still waiting
            await newcomer.send_text(PHONE, "5")
    assert caught.value.retry_after == 90.0
    assert len(sandbox.state.zapi.sent) == 3


def test_paced_sends_that_come_back_late_go_out_within_the_limit_instead_of_queueing_again() -> None:
    """Under a burst a lane brings each paced send back after its slot. Sent to the back of the line
    whenever the reservations around it filled a window, every late send was rescheduled again and
    none went out (bench/run_e2e.py --only held: 60 welcomes in the first minute, then none)."""
    rate, slots = 2, []
    for n in range(10):  # two go out at once, eight reserve a slot each, 30 s apart: 60 s … 270 s
        decision = decide(slots, f"msg-{n}", 0.0, rate)
        slots = decision.slots
    assert [s.at for s in slots if not s.sent] == [60.0 + 30 * k for k in range(8)]

    sent_at, now = [0.0, 0.0], 160.0  # all late (the first by 100 s); each retried when told
    for n in range(2, 10):
        while True:
            decision = decide(slots, f"msg-{n}", now, rate)
            slots = decision.slots
            if decision.wait is None:
                sent_at.append(now)
                break
            assert decision.wait <= WINDOW_SECONDS  # its place kept: never the back of the line
            now += decision.wait
    assert len(sent_at) == 10 and sent_at[-1] == 340.0  # two per minute from 160 s on
    assert all(sent_at[k + rate] - sent_at[k] >= WINDOW_SECONDS for k in range(len(sent_at) - rate))
    assert not slots or all(s.sent for s in slots)  # no reservation left behind
