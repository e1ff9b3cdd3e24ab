"""Login, logout and "change my password" pages of the console (the kit's account pages)."""

from __future__ import annotations

from carinho.integracoes.console.auth import (
    OPERATOR_CREDENTIALS,
    SESSION_COOKIE,
    hub_session,
    session_operator,
)
from carinho.integracoes.console.pages import HOME_URL, LOGIN_URL, pages
from carinho.integracoes.operators.service import operator_service
from carinho.kit.ui.accounts import AccountPages, account_router

ACCOUNTS = AccountPages(
    pages=pages,
    credentials=OPERATOR_CREDENTIALS,
    session_cookie=SESSION_COOKIE,
    session=hub_session,
    current=session_operator,
    authenticate=operator_service.login,
    logout=operator_service.logout_everywhere,
    change_password=operator_service.change_password,
    home_url=HOME_URL,
    throttle_scope="console",
    login_url=LOGIN_URL,
)
router = account_router(ACCOUNTS)
