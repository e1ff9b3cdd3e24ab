"""kit.ratelimit: moving-window limits on memory and Redis storage."""

from __future__ import annotations

import pytest

from carinho.kit.ratelimit import RateLimiter, build_storage


async def check_boundary(limiter: RateLimiter, identifier: str, limit: int) -> None:
    for n in range(1, limit + 1):
        result = await limiter.hit(identifier)
        assert result.allowed
        assert result.remaining == limit - n
    over = await limiter.hit(identifier)
    assert not over.allowed
    assert over.remaining == 0
    assert over.headers()["Retry-After"] == str(over.retry_after)
    assert 1 <= over.retry_after <= 60
    still_over = await limiter.hit(identifier)
    assert not still_over.allowed  # refused hits do not open slots


async def test_memory_boundary() -> None:
    limiter = RateLimiter(build_storage("", "unused"), per_minute=3, scope="t")
    await check_boundary(limiter, "key-a", 3)
    assert (await limiter.hit("key-b")).allowed


async def test_allowed_result_headers() -> None:
    limiter = RateLimiter(build_storage("", "unused"), per_minute=2, scope="t")
    headers = (await limiter.hit("k")).headers()
    assert headers["X-RateLimit-Limit"] == "2"
    assert headers["X-RateLimit-Remaining"] == "1"
    assert "Retry-After" not in headers


@pytest.mark.redis
async def test_redis_boundary_shared_between_limiters(redis_url: str, redis_namespace: str) -> None:
    first = RateLimiter(build_storage(redis_url, redis_namespace), per_minute=4, scope="t")
    second = RateLimiter(build_storage(redis_url, redis_namespace), per_minute=4, scope="t")
    assert (await first.hit("shared")).remaining == 3
    assert (await second.hit("shared")).remaining == 2
    assert (await first.hit("shared")).remaining == 1
    assert (await second.hit("shared")).remaining == 0
    assert not (await first.hit("shared")).allowed
    assert not (await second.hit("shared")).allowed
