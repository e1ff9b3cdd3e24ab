"""Per-instance send rate limit (seed: "Rate limiting para envio de mensagens").

A moving window of ZAPI_SEND_RATE_PER_MINUTE sends per Z-API instance, kept in Redis when REDIS_URL
is set (shared by every process on every machine) and in this process's memory otherwise (the
embedded profile runs everything in one process). The memory window is the thread-safe synchronous
one, because API requests and jobs run on different event loops of the same process.

When the window is full, `acquire()` waits for a free slot for at most
ZAPI_RATE_LIMIT_WAIT_SECONDS and then raises `ConnectorRateLimited(retry_after=...)`, so a job can
give its worker back and be retried when the window has room again.
"""

from __future__ import annotations

import asyncio
import threading
import time

from limits import RateLimitItemPerMinute, WindowStats
from limits import storage as sync_storage
from limits import strategies as sync_strategies
from limits.aio import storage as async_storage
from limits.aio import strategies as async_strategies

from carinho.config import Settings
from carinho.connectors.errors import ConnectorRateLimited

_memory_limiter: sync_strategies.MovingWindowRateLimiter | None = None
_memory_lock = threading.Lock()


def _memory() -> sync_strategies.MovingWindowRateLimiter:
    global _memory_limiter
    with _memory_lock:
        if _memory_limiter is None:
            _memory_limiter = sync_strategies.MovingWindowRateLimiter(sync_storage.MemoryStorage())
        return _memory_limiter


class SendRateLimiter:
    def __init__(self, settings: Settings) -> None:
        self.item = RateLimitItemPerMinute(settings.zapi_send_rate_per_minute)
        self.max_wait = settings.zapi_rate_limit_wait_seconds
        self.key = f"zapi-send:{settings.zapi_instance_id or 'default'}"
        self._redis: async_strategies.MovingWindowRateLimiter | None = None
        if settings.redis_url:
            storage = async_storage.RedisStorage(
                "async+" + settings.redis_url,
                implementation="redispy",
                key_prefix=f"{settings.redis_namespace}:limits",
            )
            self._redis = async_strategies.MovingWindowRateLimiter(storage)

    async def _hit(self) -> bool:
        if self._redis is not None:
            return await self._redis.hit(self.item, self.key)
        return _memory().hit(self.item, self.key)

    async def _stats(self) -> WindowStats:
        if self._redis is not None:
            return await self._redis.get_window_stats(self.item, self.key)
        return _memory().get_window_stats(self.item, self.key)

    async def acquire(self) -> None:
        deadline = time.monotonic() + self.max_wait
        while True:
            if await self._hit():
                return
            stats = await self._stats()
            retry_after = max(0.05, stats.reset_time - time.time())
            if retry_after > deadline - time.monotonic():
                raise ConnectorRateLimited(
                    f"Z-API send limit of {self.item.amount}/min reached for this instance",
                    system="zapi",
                    retry_after=retry_after,
                )
            await asyncio.sleep(retry_after)

    async def remaining(self) -> int:
        return (await self._stats()).remaining
