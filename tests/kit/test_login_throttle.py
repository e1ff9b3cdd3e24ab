"""kit/login_throttle.py: failures counted per account (e-mail, any case) and per address, shared
by every process through Redis; the refusal says when to try again."""

from __future__ import annotations

import pytest

from carinho.kit.login_throttle import LoginThrottle
from carinho.kit.ratelimit import build_storage


def throttle(redis_url: str = "", namespace: str = "unused") -> LoginThrottle:
    return LoginThrottle(
        build_storage(redis_url, namespace), "t", per_account=3, per_address=5, window_minutes=15
    )


async def test_failures_per_account_and_per_address() -> None:
    limiter = throttle()
    for email in ("ana@x.com.br", "ANA@x.com.br ", "ana@x.com.br"):
        assert await limiter.refusal(email, "10.0.0.1") is None
        await limiter.failed(email, "10.0.0.1")
    refused = await limiter.refusal("ana@x.com.br", "10.0.0.9")
    assert refused is not None and refused.reason == "account"
    assert 0 < refused.retry_after <= 15 * 60
    error = refused.error()
    assert error.status_code == 429 and error.headers["Retry-After"] == str(refused.retry_after)
    assert error.message.startswith("Muitas tentativas de entrar sem sucesso. Tente novamente em ")

    await limiter.failed("bia@x.com.br", "10.0.0.1")
    await limiter.failed("caio@x.com.br", "10.0.0.1")  # the address's fifth failure
    by_address = await limiter.refusal("dora@x.com.br", "10.0.0.1")
    assert by_address is not None and by_address.reason == "address"
    assert await limiter.refusal("dora@x.com.br", "10.0.0.2") is None


async def test_a_success_clears_the_account() -> None:
    limiter = throttle()
    for _ in range(2):
        await limiter.failed("ana@x.com.br", "10.0.0.1")
    await limiter.succeeded("ana@x.com.br")
    for _ in range(2):
        await limiter.failed("ana@x.com.br", "10.0.0.1")
    assert await limiter.refusal("ana@x.com.br", "10.0.0.1") is None


@pytest.mark.redis
async def test_processes_share_the_count_through_redis(redis_url: str, redis_namespace: str) -> None:
    first, second = throttle(redis_url, redis_namespace), throttle(redis_url, redis_namespace)
    await first.failed("ana@x.com.br", "10.0.0.1")
    await second.failed("ana@x.com.br", "10.0.0.2")
    await first.failed("ana@x.com.br", "10.0.0.3")
    refused = await second.refusal("ana@x.com.br", "10.0.0.4")
    assert refused is not None and refused.reason == "account"
