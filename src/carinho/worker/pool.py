"""Dramatiq worker threads, one pool per lane, inside the current process, and their heartbeat."""

from __future__ import annotations

import dramatiq

from carinho.runtime import CONTEXTS, Runtime
from carinho.worker.executor import run_outbox_messages
from carinho.worker.heartbeat import HeartbeatThread
from carinho.worker.lanes import Lane


class WorkerPool:
    def __init__(
        self,
        rt: Runtime,
        lanes: list[Lane],
        threads: int | None = None,
        contexts: tuple[str, ...] = CONTEXTS,
    ) -> None:
        """`contexts`: whose jobs this process runs (the rows its relays publish), for the heartbeat."""
        self.lane_brokers = [rt.lanes[lane.value] for lane in lanes]
        for lane_broker in self.lane_brokers:
            lane_broker.runner = run_outbox_messages
        self.threads = {lane.value: threads or rt.lane_workers(lane.value) for lane in lanes}
        self.workers = [
            dramatiq.Worker(
                rt.lanes[lane.value].broker,
                queues={lane.value},
                worker_threads=self.threads[lane.value],
                worker_timeout=100,
            )
            for lane in lanes
        ]
        self.heartbeat = HeartbeatThread(rt, self.threads, rt.settings.scheduler_heartbeat_seconds, contexts)

    def start(self) -> None:
        for lane_broker in self.lane_brokers:
            lane_broker.attach_consumer()
        for worker in self.workers:
            worker.start()
        self.heartbeat.start()

    def stop(self, timeout_ms: int = 30_000) -> None:
        """Stop consuming; jobs in flight finish (or their lease brings them back later)."""
        self.heartbeat.stop()
        for lane_broker in self.lane_brokers:
            lane_broker.detach_consumer()
        for worker in self.workers:
            worker.stop(timeout=timeout_ms)

    def join(self) -> None:
        for worker in self.workers:
            worker.join()
