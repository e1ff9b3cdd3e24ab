"""Per-instance send rate limit and pacing (seed: "Rate limiting para envio de mensagens").

At most ZAPI_SEND_RATE_PER_MINUTE sends per Z-API instance in any 60 s window. The limiter never
waits: `acquire()` either grants a slot now or raises `ConnectorPaced(retry_after=...)` at once, and
the caller reschedules the send as a delayed outbox row due at that time, so no worker is held.

A send that has to wait and names itself (`key`: the step's idempotency key, the message's id)
reserves the next free slot: the reservation counts in the window like a send, later sends queue
behind it, and reservations are spaced 60/rate s apart, so a burst goes out in order at the allowed
pace instead of every deferred send coming back at once. When it comes back (at or after its time) it
sends if the sends of the last 60 s leave room, and otherwise keeps its place and waits for the oldest
of them to age out; a reservation is kept until its owner comes back, however late (an hour at most).
Late is the rule under a burst: the lane brings each paced send back after its time. (Sent to the back
of the line whenever the reservations around it filled a window, as it once was, every late send was
rescheduled again and nothing went out at all — bench/run_e2e.py `--only held`.) Every send still checks
the last 60 s of sends, so no 60 s window ever holds more than the limit. A send without a key is told
when the next slot frees, and reserves nothing.

The state is a short list of slots (times of sends and reservations of the last minute and after),
in Redis when REDIS_URL is set (an optimistic WATCH/MULTI transaction, shared by every process on
every machine), and otherwise in a small file in the data dir under an exclusive `flock`: `carinho
up` runs the hub and atendimento in processes of their own, both sending to the same instance, and
API requests and jobs run on different event loops. (Each process's memory, as it once was, let the
two processes together send twice the limit.) The lock is held for one read and one write of a few
hundred bytes. Time is `kit.clock`'s, so tests drive it.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import math
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from carinho.config import Settings
from carinho.connectors.errors import ConnectorPaced
from carinho.kit.clock import utcnow

WINDOW_SECONDS = 60.0
ABANDONED_SECONDS = 3600.0  # a reservation whose owner has not come back an hour after its time


@dataclass
class Slot:
    at: float  # epoch seconds: when it was sent, or when its reservation may send
    key: str | None = None  # the reservation's owner; None once sent
    sent: bool = True


@dataclass(frozen=True)
class Decision:
    slots: list[Slot]
    wait: float | None  # None: send now


def decide(slots: list[Slot], key: str | None, now: float, rate: int) -> Decision:
    """The pure rule: what a send with `key` at `now` may do, and the slots afterwards."""
    # Sends older than the window no longer count; a reservation waits for its owner (see above).
    slots = sorted(
        (s for s in slots if s.at > now - (WINDOW_SECONDS if s.sent else ABANDONED_SECONDS)),
        key=lambda s: s.at,
    )
    own = next((s for s in slots if key is not None and s.key == key and not s.sent), None)
    if own is not None:
        if own.at > now:
            return Decision(slots, own.at - now)
        sent = [s.at for s in slots if s.sent and s.at > now - WINDOW_SECONDS]
        if len(sent) >= rate:  # keeps its place until the oldest send of the window ages out
            return Decision(slots, sent[-rate] + WINDOW_SECONDS - now)
        return Decision(sorted([*(s for s in slots if s is not own), Slot(now)], key=lambda s: s.at), None)
    at = now
    if len(slots) >= rate:
        at = max(at, slots[-rate].at + WINDOW_SECONDS)
    waiting = any(not s.sent for s in slots)
    if slots and (at > now or waiting):
        at = max(at, slots[-1].at + WINDOW_SECONDS / rate)
    if at <= now:
        return Decision([*slots, Slot(now)], None)
    if key is None:
        return Decision(slots, at - now)
    return Decision([*slots, Slot(at, key, sent=False)], at - now)


def _dump(slots: list[Slot]) -> str:
    return json.dumps([[s.at, s.key, s.sent] for s in slots])


def _load(raw: str | bytes | None) -> list[Slot]:
    return [Slot(at, key, sent) for at, key, sent in json.loads(raw)] if raw else []


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[int]:
    """`path` open and under an exclusive lock: another process or thread opening it waits."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield fd
    finally:
        os.close(fd)  # releases the lock


def _read_slots(fd: int) -> list[Slot]:
    size = os.fstat(fd).st_size
    try:
        return _load(os.pread(fd, size, 0) if size else None)
    except ValueError:  # torn by a crash mid-write: the window starts again (the limit errs by one)
        return []


def _apply_in_file(path: Path, rule: Callable[[list[Slot]], Decision]) -> Decision:
    with _locked(path) as fd:
        decision = rule(_read_slots(fd))
        os.ftruncate(fd, 0)
        os.pwrite(fd, _dump(decision.slots).encode(), 0)
        return decision


class SendRateLimiter:
    def __init__(self, settings: Settings) -> None:
        self.rate = settings.zapi_send_rate_per_minute
        self.key = f"zapi-send:{settings.zapi_instance_id or 'default'}"
        self.redis_url = settings.redis_url
        self.redis_key = f"{settings.redis_namespace}:pacing:{self.key}"
        self.path = settings.carinho_data_dir / "zapi-pacing" / f"{self.key.replace(':', '-')}.json"

    async def acquire(self, key: str | None = None) -> None:
        """Take a slot now, or raise `ConnectorPaced(retry_after)` at once (see the module doc)."""
        now = utcnow().timestamp()
        decision = await self._apply(lambda slots: decide(slots, key, now, self.rate))
        if decision.wait is not None:
            raise ConnectorPaced(
                f"Z-API send limit of {self.rate}/min for this instance: the send waits "
                f"{decision.wait:.1f} s for its slot",
                system="zapi",
                retry_after=decision.wait,
            )

    async def remaining(self) -> int:
        """Sends that may go out right now without waiting."""
        now = utcnow().timestamp()
        slots = await self._slots()
        if any(not s.sent for s in slots):
            return 0
        return max(0, self.rate - sum(1 for s in slots if s.at > now - WINDOW_SECONDS))

    async def _slots(self) -> list[Slot]:
        if not self.redis_url:
            with _locked(self.path) as fd:
                return _read_slots(fd)
        import redis.asyncio as aioredis

        async with aioredis.from_url(self.redis_url) as client:
            return _load(await client.get(self.redis_key))

    async def _apply(self, rule: Callable[[list[Slot]], Decision]) -> Decision:
        now = utcnow().timestamp()
        if not self.redis_url:
            return _apply_in_file(self.path, rule)
        import redis.asyncio as aioredis
        from redis.exceptions import WatchError

        async with aioredis.from_url(self.redis_url) as client:
            while True:
                async with client.pipeline(transaction=True) as pipe:
                    try:
                        await pipe.watch(self.redis_key)
                        decision = rule(_load(await pipe.get(self.redis_key)))
                        pipe.multi()
                        last = max((s.at for s in decision.slots), default=now)
                        ttl = math.ceil(last - now + 2 * WINDOW_SECONDS)
                        pipe.set(self.redis_key, _dump(decision.slots), ex=ttl)
                        await pipe.execute()
                        return decision
                    except WatchError:
                        continue  # another process took a slot meanwhile: decide again
