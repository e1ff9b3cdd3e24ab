"""kit/live_signal.py: a fingerprint polled at most once per interval for every stream, and each
stream's `change` events when it moved, heartbeats in the silences and an end after its lifetime."""

from __future__ import annotations

from collections.abc import Hashable

from carinho.kit.live_signal import PolledSignal, change_events
from tests.support.sse import ManualClock


class State:
    def __init__(self) -> None:
        self.value = 0

    async def fingerprint(self) -> Hashable:
        return self.value


async def test_streams_share_the_computation_and_hear_of_each_change() -> None:
    clock, state = ManualClock(), State()
    signal = PolledSignal(state.fingerprint, interval=1.0, clock=clock, sleep=clock.sleep)
    first = change_events(signal, heartbeat=100)
    second = change_events(signal, heartbeat=100)
    assert await anext(first) == 'retry: 2000\nid: 1\nevent: ready\ndata: {"version": 1}\n\n'
    assert (await anext(second)).endswith('event: ready\ndata: {"version": 1}\n\n')
    assert signal.computations == 1  # the second stream got the fresh one

    state.value = 1
    assert await anext(first) == 'id: 2\nevent: change\ndata: {"version": 2}\n\n'
    assert await anext(second) == 'id: 2\nevent: change\ndata: {"version": 2}\n\n'
    await first.aclose()
    await second.aclose()


async def test_heartbeats_fill_the_silence_and_the_stream_ends_after_its_lifetime() -> None:
    clock, state = ManualClock(), State()
    signal = PolledSignal(state.fingerprint, interval=1.0, clock=clock, sleep=clock.sleep)
    stream = change_events(signal, heartbeat=5, lifetime=12)
    chunks = [chunk async for chunk in stream]
    assert chunks[0].startswith("retry: 2000\nid: 1\nevent: ready")
    assert chunks[1:] == [": heartbeat\n\n", ": heartbeat\n\n"]  # after 5 s and 10 s of silence
    assert clock.now == 1012


async def test_a_failing_computation_is_skipped_not_fatal() -> None:
    clock = ManualClock()
    calls = {"n": 0}

    async def flaky() -> Hashable:
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("database is locked")
        return calls["n"] >= 3

    signal = PolledSignal(flaky, interval=1.0, clock=clock, sleep=clock.sleep)
    stream = change_events(signal, heartbeat=100)
    await anext(stream)
    assert (await anext(stream)).startswith("id: 2\nevent: change")  # the third computation moved
    await stream.aclose()
