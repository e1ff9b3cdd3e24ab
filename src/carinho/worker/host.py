"""What the worker layer asks of the process it runs in: the settings, each context's outbox table,
a lane's worker count and the way to publish to a lane's broker.

`carinho.runtime.Runtime` provides it and `runtime.configure()` installs it here. The worker layer
names only this protocol, so the runtime may import the worker (its brokers, lanes and tables)
without the worker importing the runtime back.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from carinho.config import Settings
    from carinho.worker.models import OutboxMessageMixin


class JobHost(Protocol):
    settings: Settings

    def outbox_model(self, context: str) -> type[OutboxMessageMixin]: ...

    def lane_workers(self, lane: str) -> int: ...

    def publish(self, context: str, outbox_ids: list[int], lane: str, time_limit_seconds: int) -> None: ...


_host: JobHost | None = None


def install(host: JobHost) -> None:
    global _host
    _host = host


def current() -> JobHost:
    if _host is None:
        raise RuntimeError("carinho.runtime.configure(settings) has not been called")
    return _host


def is_installed() -> bool:
    return _host is not None
