"""Who is calling: a bearer token (API clients) or the session cookie plus CSRF token (the UI)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import APIKeyCookie, HTTPAuthorizationCredentials, HTTPBearer

from carinho.atendimento.agents.models import Agent, Role
from carinho.atendimento.agents.security import AGENT_CREDENTIALS, SESSION_COOKIE, read_bearer
from carinho.atendimento.deps import SessionDep
from carinho.errors import Forbidden, Unauthorized
from carinho.kit.signed_sessions import account_of, page_account

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
    """An API client's bearer token, or the browser's session cookie (with CSRF)."""
    if bearer is None and cookie:
        return await session_agent(request, session, cookie)
    if bearer is None:
        raise Unauthorized("Autenticação necessária: faça login.", headers={"WWW-Authenticate": "Bearer"})
    credential = read_bearer(_secret(request), bearer.credentials)
    agent = account_of(await session.get(Agent, credential.account_id) if credential else None, credential)
    request.state.agent_id = agent.id
    return agent


async def session_agent(
    request: Request, session: SessionDep, cookie: Annotated[str | None, Depends(cookie_scheme)]
) -> Agent:
    """The agent of the browser's session cookie (the pages): the same checks as `current_agent`,
    without bearer tokens. The CSRF token travels in the X-CSRF-Token header (htmx) or in the
    form's `csrf_token` field (plain forms)."""

    async def load(agent_id: int) -> Agent | None:
        return await session.get(Agent, agent_id)

    agent = await page_account(request, cookie, AGENT_CREDENTIALS, load)
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
