"""`X-API-Key` authentication and the per-key rate limit of the hub's API.

Every endpoint that depends on `ApiKeyDep` answers with `X-RateLimit-Limit`, `X-RateLimit-Remaining`
and `X-RateLimit-Reset`; over the limit it answers 429 with `Retry-After`.
"""

from typing import Annotated

from fastapi import Depends, Request, Response, Security
from fastapi.security import APIKeyHeader

from carinho.errors import RateLimited
from carinho.integracoes.apikeys.models import ApiKey
from carinho.integracoes.apikeys.service import api_key_service
from carinho.integracoes.deps import SessionDep
from carinho.kit.ratelimit import RateLimiter, build_storage
from carinho.runtime import Runtime

api_key_header = APIKeyHeader(name="X-API-Key", auto_error=False, description="Hub API key")


def api_rate_limiter(request: Request) -> RateLimiter:
    """One limiter per app: memory storage in the embedded profile, Redis (shared) otherwise."""
    limiter: RateLimiter | None = getattr(request.app.state, "api_rate_limiter", None)
    if limiter is None:
        rt: Runtime = request.app.state.runtime
        settings = rt.settings
        storage = build_storage(settings.redis_url, settings.redis_namespace)
        limiter = RateLimiter(storage, settings.api_rate_limit_per_minute, scope="api-key")
        request.app.state.api_rate_limiter = limiter
    return limiter


async def require_api_key(
    request: Request,
    response: Response,
    session: SessionDep,
    key: Annotated[str | None, Security(api_key_header)],
) -> ApiKey:
    api_key = await api_key_service.authenticate(session, key)
    limiter = api_rate_limiter(request)
    result = await limiter.hit(api_key.prefix)
    if not result.allowed:
        await limiter.note_refusal(api_key.prefix)
        raise RateLimited(
            f"rate limit of {result.limit} requests per minute exceeded", headers=result.headers()
        )
    response.headers.update(result.headers())
    api_key_service.touch(api_key)
    return api_key


ApiKeyDep = Annotated[ApiKey, Depends(require_api_key)]
