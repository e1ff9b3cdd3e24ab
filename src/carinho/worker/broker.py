"""Dramatiq brokers: Redis in production, the in-memory StubBroker in the embedded default.

Each lane has its own broker object (sharing one Redis server) and one actor, so each lane gets a
worker pool of its own size. The actor carries (context, outbox ids); the outbox rows say which jobs
run with what. Retries live in the outbox (durable in both profiles), so Dramatiq's are off.
"""

from __future__ import annotations

import threading
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import dramatiq
from dramatiq.asyncio import EventLoopThread, set_event_loop_thread
from dramatiq.brokers.redis import RedisBroker
from dramatiq.brokers.stub import StubBroker
from dramatiq.middleware import AgeLimit, Callbacks, Pipelines, ShutdownNotifications, TimeLimit

from carinho.config import Settings
from carinho.logging import get_logger
from carinho.worker.lanes import Lane

log = get_logger(__name__)


class SharedEventLoop(dramatiq.Middleware):
    """One event loop thread for the async actors of every lane's workers in this process
    (Dramatiq's own AsyncIO middleware would start, and later stop, one per worker)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._users = 0
        self._thread: EventLoopThread | None = None

    def before_worker_boot(self, broker: dramatiq.Broker, worker: dramatiq.Worker) -> None:
        with self._lock:
            if self._thread is None:
                self._thread = EventLoopThread(log)
                self._thread.start(timeout=5.0)
                set_event_loop_thread(self._thread)
            self._users += 1

    def after_worker_shutdown(self, broker: dramatiq.Broker, worker: dramatiq.Worker) -> None:
        with self._lock:
            self._users -= 1
            if self._users == 0 and self._thread is not None:
                self._thread.stop()
                self._thread.join()
                set_event_loop_thread(None)
                self._thread = None


# What a lane's message runs: (context, outbox ids) -> the jobs of those rows (worker/executor.py).
Runner = Callable[[str, list[int] | int], Awaitable[None]]


@dataclass
class LaneBroker:
    lane: Lane
    broker: dramatiq.Broker
    actor: dramatiq.Actor[Any, Any] = field(init=False)
    consumers: int = 0  # worker pools of this process consuming the lane (see `reaches_a_worker`)
    # Set by the worker pool that consumes the lane (worker/pool.py): the broker is transport, and
    # only the process that runs jobs needs to know how (the executor, which needs the runtime).
    runner: Runner | None = None

    async def run(self, context: str, outbox_ids: list[int] | int) -> None:
        """The lane actor's body."""
        if self.runner is None:
            raise RuntimeError(f"no worker pool of this process runs the {self.lane.value} lane")
        await self.runner(context, outbox_ids)

    def attach_consumer(self) -> None:
        self.consumers += 1

    def detach_consumer(self) -> None:
        self.consumers -= 1

    @property
    def reaches_a_worker(self) -> bool:
        """Whether a message published now can reach a worker. Redis: any process's workers. The
        in-memory broker: only this process's, so with no pool consuming the lane here (`carinho serve`
        without REDIS_URL) a message would stay in memory for good; the outbox row waits instead for
        the relay of a process that runs workers on the same database."""
        return not isinstance(self.broker, StubBroker) or self.consumers > 0


def build_lane_brokers(settings: Settings) -> dict[str, LaneBroker]:
    loop = SharedEventLoop()
    client = None
    if settings.redis_url:
        import redis

        client = redis.Redis.from_url(settings.redis_url)
    lanes: dict[str, LaneBroker] = {}
    for lane in Lane:
        middleware = [
            AgeLimit(),
            TimeLimit(),
            ShutdownNotifications(),
            Callbacks(),
            Pipelines(),
            loop,
        ]
        broker: dramatiq.Broker
        if client is not None:
            broker = RedisBroker(
                client=client,
                namespace=settings.redis_namespace,
                middleware=middleware,
                heartbeat_timeout=30_000,
                dead_message_ttl=24 * 3600 * 1000,
            )
        else:
            broker = StubBroker(middleware=middleware)
        lane_broker = LaneBroker(lane, broker)
        lane_broker.actor = dramatiq.Actor(
            lane_broker.run,
            broker=broker,
            actor_name=f"outbox.{lane.value}",
            queue_name=lane.value,
            priority=0,
            options={"max_retries": 0},
        )
        lanes[lane.value] = lane_broker
    return lanes


def queue_depths(lanes: dict[str, LaneBroker]) -> dict[str, int]:
    """Messages waiting in Redis per lane (the outbox table is the durable view)."""
    depths: dict[str, int] = {}
    for name, lane in lanes.items():
        if isinstance(lane.broker, RedisBroker):
            depths[name] = int(lane.broker.client.llen(f"{lane.broker.namespace}:{name}"))
    return depths


def ping(lanes: dict[str, LaneBroker]) -> None:
    first = next(iter(lanes.values())).broker
    if isinstance(first, RedisBroker):
        first.client.ping()
