"""Login, logout and "change my password" pages of atendimento (the kit's account pages)."""

from __future__ import annotations

from carinho.atendimento.agents.auth import session_agent
from carinho.atendimento.agents.security import AGENT_CREDENTIALS, LOGIN_THROTTLE_SCOPE, SESSION_COOKIE
from carinho.atendimento.agents.service import agent_service
from carinho.atendimento.web.pages import HOME_URL, LOGIN_URL, pages
from carinho.kit.sessions import session_dependency
from carinho.kit.ui.accounts import AccountPages, account_router

ACCOUNTS = AccountPages(
    pages=pages,
    credentials=AGENT_CREDENTIALS,
    session_cookie=SESSION_COOKIE,
    session=session_dependency("atendimento"),
    current=session_agent,
    authenticate=agent_service.login,
    logout=agent_service.logout_everywhere,
    change_password=agent_service.change_password,
    home_url=HOME_URL,
    throttle_scope=LOGIN_THROTTLE_SCOPE,
    login_url=LOGIN_URL,
)
router = account_router(ACCOUNTS)
