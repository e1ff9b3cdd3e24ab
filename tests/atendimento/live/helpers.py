"""Helpers of the live feed's tests: reading `live_changes`, and a poller the test releases by hand."""

from __future__ import annotations

import asyncio

from sqlalchemy import delete, select

from carinho.atendimento.live.models import LiveChange
from carinho.runtime import Runtime
from tests.atendimento.metrics.streaming import ManualClock


async def changes(rt: Runtime, conversation_id: int | None = None) -> list[tuple[int, str]]:
    """(conversation id, kind) of the recorded changes, in id order."""
    stmt = select(LiveChange.conversation_id, LiveChange.kind).order_by(LiveChange.id)
    if conversation_id is not None:
        stmt = stmt.where(LiveChange.conversation_id == conversation_id)
    async with rt.db("atendimento").session() as session:
        return [(int(c), str(k)) for c, k in (await session.execute(stmt)).all()]


async def last_id(rt: Runtime) -> int:
    async with rt.db("atendimento").session() as session:
        return int(
            (await session.execute(select(LiveChange.id).order_by(LiveChange.id.desc()))).scalar() or 0
        )


async def forget_changes(rt: Runtime) -> None:
    async with rt.db("atendimento").session() as session:
        await session.execute(delete(LiveChange))
        await session.commit()


class Ticker:
    """The poller's wait between two polls: each `release()` lets exactly one poll happen."""

    def __init__(self) -> None:
        self._permits = asyncio.Semaphore(0)

    async def wait(self) -> None:
        await self._permits.acquire()

    def release(self) -> None:
        self._permits.release()


class SteppedClock(ManualClock):
    """A clock the test moves by hand, whose `sleep` lasts until the test moved it far enough: a
    stream's heartbeat is due exactly when the test says, never while it waits for a change."""

    def __init__(self) -> None:
        super().__init__()
        self._sleepers: list[tuple[float, asyncio.Future[None]]] = []

    def advance(self, seconds: float) -> None:
        super().advance(seconds)
        for until, sleeper in self._sleepers:
            if until <= self.now and not sleeper.done():
                sleeper.set_result(None)
        self._sleepers = [(u, s) for u, s in self._sleepers if not s.done()]

    async def sleep(self, seconds: float) -> None:
        if seconds <= 0:
            await asyncio.sleep(0)
            return
        sleeper = asyncio.get_running_loop().create_future()
        self._sleepers.append((self.now + seconds, sleeper))
        await sleeper
