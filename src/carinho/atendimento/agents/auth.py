"""Who is calling: a bearer token (API clients) or the session cookie plus CSRF token (the UI)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import APIKeyCookie, HTTPAuthorizationCredentials, HTTPBearer

from carinho.atendimento.agents.models import Agent, Role
from carinho.atendimento.agents.security import (
    SAFE_METHODS,
    SESSION_COOKIE,
    Credential,
    csrf_matches,
    read_bearer,
    read_session,
)
from carinho.atendimento.deps import SessionDep
from carinho.errors import Forbidden, Unauthorized
from carinho.kit.signed_sessions import submitted_csrf

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
        if credential is not None:
            await _check_csrf(request, credential)
    else:
        raise Unauthorized("Autenticação necessária: faça login.", headers={"WWW-Authenticate": "Bearer"})
    return await _agent_of(request, session, credential)


async def session_agent(
    request: Request, session: SessionDep, cookie: Annotated[str | None, Depends(cookie_scheme)]
) -> Agent:
    """The agent of the browser's session cookie (the pages): the same checks as `current_agent`,
    without bearer tokens. The CSRF token travels in the X-CSRF-Token header (htmx) or in the
    form's `csrf_token` field (plain forms)."""
    if not cookie:
        raise Unauthorized("Autenticação necessária: faça login.")
    credential = read_session(_secret(request), cookie)
    if credential is not None:
        await _check_csrf(request, credential)
    agent = await _agent_of(request, session, credential)
    request.state.ui_user = agent
    request.state.csrf_token = credential.csrf if credential else ""
    return agent


async def _check_csrf(request: Request, credential: Credential) -> None:
    if request.method in SAFE_METHODS:
        return
    if not csrf_matches(credential.csrf, await submitted_csrf(request.headers, request.method, request.form)):
        raise Forbidden("Token CSRF ausente ou inválido: recarregue a página e tente de novo.")


async def _agent_of(request: Request, session: SessionDep, credential: Credential | None) -> Agent:
    if credential is None:
        raise Unauthorized("Sessão inválida ou expirada: faça login novamente.")
    agent = await session.get(Agent, credential.account_id)
    if agent is None or not agent.active or agent.auth_epoch != credential.epoch:
        raise Unauthorized("Sessão inválida ou expirada: faça login novamente.")
    request.state.agent_id = agent.id
    return agent


CurrentAgent = Annotated[Agent, Depends(current_agent)]


def require_role(
    minimum: Role, base: Callable[..., Awaitable[Agent]] = current_agent
) -> Callable[[Agent], Awaitable[Agent]]:
    """The caller (by `base`: API credentials or the pages' session) with at least `minimum`."""

    async def check(agent: Agent = Depends(base)) -> Agent:  # a default: `base` is a closure variable
        if not agent.has_role(minimum):
            raise Forbidden(f"Acesso negado: esta ação exige o papel {minimum.label}.")
        return agent

    return check


SupervisorAgent = Annotated[Agent, Depends(require_role(Role.supervisor))]
AdminAgent = Annotated[Agent, Depends(require_role(Role.admin))]
# The same, for the pages (session cookie + CSRF).
SessionAgent = Annotated[Agent, Depends(session_agent)]
SessionSupervisor = Annotated[Agent, Depends(require_role(Role.supervisor, session_agent))]
SessionAdmin = Annotated[Agent, Depends(require_role(Role.admin, session_agent))]
