"""Rate limits with `limits` (moving window): in memory in the embedded profile, in Redis (shared by
every process) when REDIS_URL is set."""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

from limits import RateLimitItemPerMinute
from limits.aio.storage import MemoryStorage, RedisStorage, Storage
from limits.aio.strategies import MovingWindowRateLimiter


@dataclass(frozen=True)
class RateLimitResult:
    allowed: bool
    limit: int
    remaining: int
    reset_at: int  # epoch seconds when a slot frees up (the oldest hit leaves the window)
    retry_after: int  # seconds until then (at least 1)

    def headers(self) -> dict[str, str]:
        headers = {
            "X-RateLimit-Limit": str(self.limit),
            "X-RateLimit-Remaining": str(self.remaining),
            "X-RateLimit-Reset": str(self.reset_at),
        }
        if not self.allowed:
            headers["Retry-After"] = str(self.retry_after)
        return headers


def build_storage(redis_url: str, namespace: str) -> Storage:
    if not redis_url:
        return MemoryStorage()
    uri = "async+" + redis_url if not redis_url.startswith("async+") else redis_url
    return RedisStorage(uri, implementation="redispy", key_prefix=f"{namespace}:ratelimit")


class RateLimiter:
    """`per_minute` hits per identifier in any 60-second window."""

    def __init__(self, storage: Storage, per_minute: int, scope: str) -> None:
        self.storage = storage
        self.item = RateLimitItemPerMinute(per_minute, namespace=scope)
        self._strategy = MovingWindowRateLimiter(storage)

    async def hit(self, identifier: str) -> RateLimitResult:
        allowed = await self._strategy.hit(self.item, identifier)
        stats = await self._strategy.get_window_stats(self.item, identifier)
        # `limits` keeps its windows on the wall clock (time.time()), so Retry-After must too.
        return RateLimitResult(
            allowed=allowed,
            limit=self.item.amount,
            remaining=max(0, stats.remaining),
            reset_at=math.ceil(stats.reset_time),
            retry_after=max(1, math.ceil(stats.reset_time - time.time())),
        )

    async def reset(self) -> None:
        await self.storage.reset()
