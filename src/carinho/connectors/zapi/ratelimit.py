"""Per-instance send rate limit (seed: "Rate limiting para envio de mensagens").

A moving window of ZAPI_SEND_RATE_PER_MINUTE sends per Z-API instance, kept in Redis when REDIS_URL
is set (shared by every process on every machine) and in this process's memory otherwise (the
embedded profile runs everything in one process).

When the window is full, `acquire()` waits for a free slot for at most
ZAPI_RATE_LIMIT_WAIT_SECONDS and then raises `ConnectorRateLimited(retry_after=...)`, so a job can
give its worker back and be retried when the window has room again.
"""

from __future__ import annotations

import asyncio
import time

from limits import RateLimitItemPerMinute
from limits.aio.storage import MemoryStorage, Storage
from limits.aio.strategies import MovingWindowRateLimiter
from limits.storage import storage_from_string

from carinho.config import Settings
from carinho.connectors.errors import ConnectorRateLimited

_memory_storage: MemoryStorage | None = None


def _storage(settings: Settings) -> Storage:
    global _memory_storage
    if settings.redis_url:
        storage = storage_from_string(
            "async+" + settings.redis_url,
            implementation="redispy",
            key_prefix=f"{settings.redis_namespace}:limits",
        )
        assert isinstance(storage, Storage)
        return storage
    if _memory_storage is None:
        _memory_storage = MemoryStorage()
    return _memory_storage


class SendRateLimiter:
    def __init__(self, settings: Settings) -> None:
        self.item = RateLimitItemPerMinute(settings.zapi_send_rate_per_minute)
        self.limiter = MovingWindowRateLimiter(_storage(settings))
        self.max_wait = settings.zapi_rate_limit_wait_seconds
        self.key = f"zapi-send:{settings.zapi_instance_id or 'default'}"

    async def acquire(self) -> None:
        deadline = time.monotonic() + self.max_wait
        while True:
            if await self.limiter.hit(self.item, self.key):
                return
            stats = await self.limiter.get_window_stats(self.item, self.key)
            retry_after = max(0.05, stats.reset_time - time.time())
            remaining_wait = deadline - time.monotonic()
            if retry_after > remaining_wait:
                raise ConnectorRateLimited(
                    f"Z-API send limit of {self.item.amount}/min reached for this instance",
                    system="zapi",
                    retry_after=retry_after,
                )
            await asyncio.sleep(retry_after)

    async def remaining(self) -> int:
        stats = await self.limiter.get_window_stats(self.item, self.key)
        return stats.remaining
