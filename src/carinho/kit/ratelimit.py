"""Rate limits with `limits` (moving window): in memory in the embedded profile, in Redis (shared by
every process) when REDIS_URL is set."""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from datetime import timedelta
from zoneinfo import ZoneInfo

from limits import RateLimitItemPerMinute
from limits.aio.storage import MemoryStorage, RedisStorage, Storage
from limits.aio.strategies import MovingWindowRateLimiter

from carinho.kit.clock import utcnow

# Refusals are counted per day (São Paulo's days: what "today" means to the people who read them).
REFUSAL_DAYS_KEPT = 8
_DAY_ZONE = ZoneInfo("America/Sao_Paulo")


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

    async def note_refusal(self, identifier: str) -> None:
        """Count a refused hit (the counter lives in the limiter's storage: shared through Redis, no
        database write for a client that keeps hammering)."""
        await self.storage.incr(self._refusal_key(identifier, 0), int(REFUSAL_DAYS_KEPT * 86_400))

    async def refusals(self, identifier: str, days: int = 7) -> list[int]:
        """Refused hits per day, today first, for the last `days` days."""
        return [await self.storage.get(self._refusal_key(identifier, back)) for back in range(days)]

    def _refusal_key(self, identifier: str, days_back: int) -> str:
        day = (utcnow().astimezone(_DAY_ZONE) - timedelta(days=days_back)).date().isoformat()
        return f"refused/{self.item.namespace}/{identifier}/{day}"

    async def reset(self) -> None:
        await self.storage.reset()
