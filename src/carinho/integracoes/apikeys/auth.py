"""`X-API-Key` authentication for the hub's API."""

from typing import Annotated

from fastapi import Depends, Security
from fastapi.security import APIKeyHeader

from carinho.integracoes.apikeys.models import ApiKey
from carinho.integracoes.apikeys.service import api_key_service
from carinho.integracoes.deps import SessionDep

api_key_header = APIKeyHeader(name="X-API-Key", auto_error=False, description="Hub API key")


async def require_api_key(
    session: SessionDep, key: Annotated[str | None, Security(api_key_header)]
) -> ApiKey:
    return await api_key_service.authenticate(session, key)


ApiKeyDep = Annotated[ApiKey, Depends(require_api_key)]
