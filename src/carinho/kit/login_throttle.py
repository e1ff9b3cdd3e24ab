"""Login throttling, per account and per client address, for every app with people's accounts
(atendimento's agents — API and page — and the hub console's operators).

After `LOGIN_MAX_FAILURES_PER_ACCOUNT` failed logins of one e-mail, or
`LOGIN_MAX_FAILURES_PER_ADDRESS` failures from one address, within `LOGIN_FAILURE_WINDOW_MINUTES`
(a moving window, with `limits`), further attempts are refused — even with the right password —
with a 429 that says when to try again. A success clears the account's count. In memory in the
embedded profile; in Redis, shared by every process, when REDIS_URL is set (as kit/ratelimit.py).
E-mails are keyed by a hash: the limiter's storage never holds them in clear.
"""

from __future__ import annotations

import hashlib
import math
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from fastapi import Request
from limits import RateLimitItemPerMinute
from limits.aio.storage import Storage
from limits.aio.strategies import MovingWindowRateLimiter

from carinho.errors import RateLimited
from carinho.kit.ratelimit import build_storage

_ZONE = ZoneInfo("America/Sao_Paulo")


@dataclass(frozen=True)
class Throttled:
    """Why a login is refused now, and for how long."""

    reason: str  # "account" | "address"
    retry_after: int  # seconds

    def error(self) -> RateLimited:
        minutes = max(1, math.ceil(self.retry_after / 60))
        at = datetime.fromtimestamp(time.time() + self.retry_after, UTC).astimezone(_ZONE)
        wait = "1 minuto" if minutes == 1 else f"{minutes} minutos"
        return RateLimited(
            f"Muitas tentativas de entrar sem sucesso. Tente novamente em {wait} (às {at:%H:%M}).",
            headers={"Retry-After": str(self.retry_after)},
        )


def _account_key(email: str) -> str:
    return hashlib.sha256(email.strip().lower().encode()).hexdigest()[:32]


class LoginThrottle:
    def __init__(
        self, storage: Storage, scope: str, *, per_account: int, per_address: int, window_minutes: int
    ) -> None:
        self.account = RateLimitItemPerMinute(per_account, window_minutes, namespace=f"login-{scope}-account")
        self.address = RateLimitItemPerMinute(per_address, window_minutes, namespace=f"login-{scope}-address")
        self._strategy = MovingWindowRateLimiter(storage)

    def _checks(self, email: str, address: str) -> list[tuple[str, RateLimitItemPerMinute, str]]:
        return [("account", self.account, _account_key(email)), ("address", self.address, address or "?")]

    async def refusal(self, email: str, address: str) -> Throttled | None:
        """Refused now? (Without counting: only failures count.)"""
        for reason, item, identifier in self._checks(email, address):
            if not await self._strategy.test(item, identifier):
                stats = await self._strategy.get_window_stats(item, identifier)
                # `limits` keeps its windows on the wall clock (time.time()).
                return Throttled(reason, max(1, math.ceil(stats.reset_time - time.time())))
        return None

    async def failed(self, email: str, address: str) -> None:
        for _, item, identifier in self._checks(email, address):
            await self._strategy.hit(item, identifier)

    async def succeeded(self, email: str) -> None:
        await self._strategy.clear(self.account, _account_key(email))


@dataclass(frozen=True)
class LoginGuard:
    """One login request's throttle and client address, handed to the account service's `login`."""

    throttle: LoginThrottle
    address: str

    async def refusal(self, email: str) -> Throttled | None:
        return await self.throttle.refusal(email, self.address)

    async def failed(self, email: str) -> None:
        await self.throttle.failed(email, self.address)

    async def succeeded(self, email: str) -> None:
        await self.throttle.succeeded(email)


def login_guard(request: Request, scope: str) -> LoginGuard:
    return LoginGuard(login_throttle(request, scope), client_address(request))


def login_throttle(request: Request, scope: str) -> LoginThrottle:
    """The app's throttle (one per app and scope), built on first use from the settings."""
    attribute = f"login_throttle_{scope}"
    throttle: LoginThrottle | None = getattr(request.app.state, attribute, None)
    if throttle is None:
        settings = request.app.state.runtime.settings
        throttle = LoginThrottle(
            build_storage(settings.redis_url, settings.redis_namespace),
            scope,
            per_account=settings.login_max_failures_per_account,
            per_address=settings.login_max_failures_per_address,
            window_minutes=settings.login_failure_window_minutes,
        )
        setattr(request.app.state, attribute, throttle)
    return throttle


def client_address(request: Request) -> str:
    """The client's address as the server sees it (uvicorn's --proxy-headers / forwarded-allow-ips
    decide whether a proxy's X-Forwarded-For is believed)."""
    return request.client.host if request.client else ""
