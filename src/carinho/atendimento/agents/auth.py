"""Who is calling: a bearer token (API clients) or the session cookie plus CSRF token (the UI)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import APIKeyCookie, HTTPAuthorizationCredentials, HTTPBearer

from carinho.atendimento.agents.models import Agent, Role
from carinho.atendimento.agents.security import (
    CSRF_HEADER,
    SAFE_METHODS,
    SESSION_COOKIE,
    Credential,
    csrf_matches,
    read_bearer,
    read_session,
)
from carinho.atendimento.deps import SessionDep
from carinho.errors import Forbidden, Unauthorized

bearer_scheme = HTTPBearer(auto_error=False, description="Token obtido em POST /api/auth/login")
cookie_scheme = APIKeyCookie(name=SESSION_COOKIE, auto_error=False, description="Sessão da interface web")


def _secret(request: Request) -> str:
    return str(request.app.state.runtime.settings.session_secret.get_secret_value())


async def current_agent(
    request: Request,
    session: SessionDep,
    bearer: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer_scheme)],
    cookie: Annotated[str | None, Depends(cookie_scheme)],
) -> Agent:
    secret = _secret(request)
    credential: Credential | None
    if bearer is not None:
        credential = read_bearer(secret, bearer.credentials)
    elif cookie:
        credential = read_session(secret, cookie)
        unsafe = credential is not None and request.method not in SAFE_METHODS
        if unsafe and not csrf_matches(
            credential.csrf if credential else None, request.headers.get(CSRF_HEADER)
        ):
            raise Forbidden("Token CSRF ausente ou inválido: recarregue a página e tente de novo.")
    else:
        raise Unauthorized("Autenticação necessária: faça login.", headers={"WWW-Authenticate": "Bearer"})
    if credential is None:
        raise Unauthorized("Sessão inválida ou expirada: faça login novamente.")
    agent = await session.get(Agent, credential.agent_id)
    if agent is None or not agent.active or agent.auth_epoch != credential.epoch:
        raise Unauthorized("Sessão inválida ou expirada: faça login novamente.")
    request.state.agent_id = agent.id
    return agent


CurrentAgent = Annotated[Agent, Depends(current_agent)]


def require_role(minimum: Role) -> Callable[[Agent], Awaitable[Agent]]:
    async def check(agent: CurrentAgent) -> Agent:
        if not agent.has_role(minimum):
            raise Forbidden(f"Acesso negado: esta ação exige o papel {minimum.label}.")
        return agent

    return check


SupervisorAgent = Annotated[Agent, Depends(require_role(Role.supervisor))]
AdminAgent = Annotated[Agent, Depends(require_role(Role.admin))]
