"""Login, logout and "change my password" pages, the same for every app with people's accounts
(atendimento's agents, the hub console's operators). An app gives its account service's functions
and its credential kind; the flows, texts and safety rules (no open redirect, a new session after a
password change) are this one piece."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.ext.asyncio import AsyncSession

from carinho.errors import CarinhoError
from carinho.kit.login_throttle import LoginGuard, login_guard
from carinho.kit.passwords import MIN_LENGTH
from carinho.kit.signed_sessions import CredentialKind
from carinho.kit.ui.pages import Pages

Account = Any  # an ORM row with `id` and `auth_epoch`


@dataclass(frozen=True)
class AccountPages:
    pages: Pages
    credentials: CredentialKind
    session_cookie: str
    session: Callable[..., Any]  # the app's database session dependency
    current: Callable[..., Awaitable[Account]]  # the signed-in account (cookie + CSRF)
    # (session, e-mail, password, guard) -> the account; raises CarinhoError (401, or 429 throttled)
    authenticate: Callable[[AsyncSession, str, str, LoginGuard], Awaitable[Account]]
    logout: Callable[[AsyncSession, Account], Awaitable[None]]
    change_password: Callable[[AsyncSession, Account, str, str], Awaitable[None]]
    home_url: str
    throttle_scope: str  # the login throttle's (kit/login_throttle.py) name for this app's accounts
    login_url: str = "/entrar"
    logout_url: str = "/sair"
    password_url: str = "/conta/senha"  # noqa: S105 (a URL, not a password)

    def safe_next(self, url: str | None) -> str:
        """Only a path of this site (no scheme, no host, no '//'): an open redirect otherwise."""
        if not url:
            return self.home_url
        parts = urlsplit(url)
        if parts.scheme or parts.netloc or not url.startswith("/") or url.startswith("//"):
            return self.home_url
        return url

    def start_session(self, request: Request, response: Response, account: Account) -> None:
        settings = request.app.state.runtime.settings
        cookie, _ = self.credentials.issue_session(
            settings.session_secret.get_secret_value(), account.id, account.auth_epoch
        )
        response.set_cookie(
            self.session_cookie,
            cookie,
            max_age=self.credentials.max_age,
            httponly=True,
            samesite="lax",
            secure=settings.carinho_env == "production",
        )


def account_router(cfg: AccountPages) -> APIRouter:
    router = APIRouter(include_in_schema=False)
    pages = cfg.pages

    def login_form(request: Request, *, status: int = 200, **context: Any) -> Response:
        defaults = {"notice": None, "error": None, "email": "", "next_url": cfg.home_url}
        return pages.render(
            request, "ui/login.html", status_code=status, action=cfg.login_url, **{**defaults, **context}
        )

    def password_form(
        request: Request, *, status: int = 200, done: bool = False, error: str | None = None
    ) -> Response:
        return pages.render(
            request,
            "ui/password.html",
            status_code=status,
            action=cfg.password_url,
            done=done,
            error=error,
            min_length=MIN_LENGTH,
            title="Alterar senha",
        )

    @router.get("/")
    async def root() -> RedirectResponse:
        return RedirectResponse(cfg.home_url, status_code=303)

    @router.get(cfg.login_url)
    async def login_page(
        request: Request, proxima: str | None = None, expirada: str | None = None
    ) -> Response:
        notice = "Sua sessão expirou. Entre novamente para continuar." if expirada else None
        if request.query_params.get("saiu"):
            notice = "Você saiu. Até logo!"
        return login_form(request, next_url=cfg.safe_next(proxima), notice=notice)

    @router.post(cfg.login_url)
    async def login(
        request: Request,
        session: AsyncSession = Depends(cfg.session),
        email: str = Form("", max_length=190),
        password: str = Form("", max_length=200),
        next: str = Form("", max_length=2000),
    ) -> Response:
        try:
            account = await cfg.authenticate(
                session, email.strip(), password, login_guard(request, cfg.throttle_scope)
            )
        except CarinhoError as exc:
            # The failed (or throttled) attempt is audited by the service: keep that row.
            await session.commit()
            refused = login_form(
                request, status=exc.status_code, next_url=cfg.safe_next(next), error=exc.message, email=email
            )
            refused.headers.update(exc.headers)
            return refused
        response = RedirectResponse(cfg.safe_next(next), status_code=303)
        cfg.start_session(request, response, account)
        return response

    @router.post(cfg.logout_url)
    async def logout(
        account: Account = Depends(cfg.current), session: AsyncSession = Depends(cfg.session)
    ) -> Response:
        """Ends this account's sessions everywhere."""
        await cfg.logout(session, account)
        response = RedirectResponse(f"{cfg.login_url}?saiu=1", status_code=303)
        response.delete_cookie(cfg.session_cookie)
        return response

    @router.get(cfg.password_url)
    async def password_page(
        request: Request, ok: str | None = None, account: Account = Depends(cfg.current)
    ) -> Response:
        return password_form(request, done=bool(ok))

    @router.post(cfg.password_url)
    async def change_password(
        request: Request,
        account: Account = Depends(cfg.current),
        session: AsyncSession = Depends(cfg.session),
        current_password: str = Form("", max_length=200),
        new_password: str = Form("", max_length=200),
        confirm_password: str = Form("", max_length=200),
    ) -> Response:
        if new_password != confirm_password:
            return password_form(request, status=422, error="A confirmação não confere com a nova senha.")
        try:
            await cfg.change_password(session, account, current_password, new_password)
        except CarinhoError as exc:
            return password_form(request, status=422, error=exc.message)
        # Changing the password ends every other session; this browser gets a new one.
        response = RedirectResponse(f"{cfg.password_url}?ok=1", status_code=303)
        cfg.start_session(request, response, account)
        return response

    return router
