"""Login, logout and "change my password" pages."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlsplit

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from carinho.atendimento.agents.auth import SessionAgent
from carinho.atendimento.agents.models import Agent
from carinho.atendimento.agents.security import SESSION_COOKIE, TOKEN_MAX_AGE_SECONDS, issue_session
from carinho.atendimento.agents.service import agent_service
from carinho.atendimento.deps import SessionDep
from carinho.atendimento.web.pages import HOME_URL, LOGIN_URL, pages
from carinho.errors import CarinhoError

router = APIRouter(include_in_schema=False)

PASSWORD_MIN_LENGTH = 10


def safe_next(url: str | None) -> str:
    """Only a path of this site (no scheme, no host, no '//'): an open redirect otherwise."""
    if not url:
        return HOME_URL
    parts = urlsplit(url)
    if parts.scheme or parts.netloc or not url.startswith("/") or url.startswith("//"):
        return HOME_URL
    return url


def start_session(request: Request, response: Response, agent: Agent) -> None:
    settings = request.app.state.runtime.settings
    cookie, _ = issue_session(settings.session_secret.get_secret_value(), agent.id, agent.auth_epoch)
    response.set_cookie(
        SESSION_COOKIE,
        cookie,
        max_age=TOKEN_MAX_AGE_SECONDS,
        httponly=True,
        samesite="lax",
        secure=settings.carinho_env == "production",
    )


@router.get("/")
async def root() -> RedirectResponse:
    return RedirectResponse(HOME_URL, status_code=303)


@router.get(LOGIN_URL)
async def login_page(request: Request, proxima: str | None = None, expirada: str | None = None) -> Response:
    notice = "Sua sessão expirou. Entre novamente para continuar." if expirada else None
    if request.query_params.get("saiu"):
        notice = "Você saiu. Até logo!"
    return pages.render(
        request,
        "ui/login.html",
        action=LOGIN_URL,
        next_url=safe_next(proxima),
        notice=notice,
        error=None,
        email="",
    )


@router.post(LOGIN_URL)
async def login(
    request: Request,
    session: SessionDep,
    email: Annotated[str, Form(max_length=190)] = "",
    password: Annotated[str, Form(max_length=200)] = "",
    next: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    try:
        agent = await agent_service.login(session, email.strip(), password)
    except CarinhoError as exc:
        return pages.render(
            request,
            "ui/login.html",
            status_code=401,
            action=LOGIN_URL,
            next_url=safe_next(next),
            notice=None,
            error=exc.message,
            email=email,
        )
    response = RedirectResponse(safe_next(next), status_code=303)
    start_session(request, response, agent)
    return response


@router.post("/sair")
async def logout(agent: SessionAgent, session: SessionDep) -> Response:
    """Ends this agent's sessions everywhere (the same as the API's logout)."""
    await agent_service.logout_everywhere(session, agent)
    response = RedirectResponse(f"{LOGIN_URL}?saiu=1", status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    return response


@router.get("/conta/senha")
async def password_page(request: Request, agent: SessionAgent, ok: str | None = None) -> Response:
    return pages.render(
        request,
        "ui/password.html",
        action="/conta/senha",
        done=bool(ok),
        error=None,
        min_length=PASSWORD_MIN_LENGTH,
        title="Alterar senha",
    )


@router.post("/conta/senha")
async def change_password(
    request: Request,
    agent: SessionAgent,
    session: SessionDep,
    current_password: Annotated[str, Form(max_length=200)] = "",
    new_password: Annotated[str, Form(max_length=200)] = "",
    confirm_password: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    error = None
    if new_password != confirm_password:
        error = "A confirmação não confere com a nova senha."
    else:
        try:
            await agent_service.change_password(session, agent, current_password, new_password)
        except CarinhoError as exc:
            error = exc.message
    if error:
        return pages.render(
            request,
            "ui/password.html",
            status_code=422,
            action="/conta/senha",
            done=False,
            error=error,
            min_length=PASSWORD_MIN_LENGTH,
        )
    # Changing the password ends every other session; this browser gets a new one.
    response = RedirectResponse("/conta/senha?ok=1", status_code=303)
    start_session(request, response, agent)
    return response
