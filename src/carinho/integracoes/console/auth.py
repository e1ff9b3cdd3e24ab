"""Who is using the console: the operator of the session cookie (with CSRF), and role checks."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import APIKeyCookie
from sqlalchemy.ext.asyncio import AsyncSession

from carinho.errors import Forbidden
from carinho.integracoes.operators.models import Operator, OperatorRole
from carinho.kit.sessions import session_dependency
from carinho.kit.signed_sessions import CredentialKind, page_account

SESSION_COOKIE = "carinho_console_session"
OPERATOR_CREDENTIALS = CredentialKind(
    bearer_salt="integracoes.console.bearer",
    session_salt="integracoes.console.session",
    max_age=12 * 3600,
)
# The console's GET pages only read: on SQLite they never hold the write lock the ingest commits with.
hub_session = session_dependency("integracoes", read_only_reads=True)
HubSession = Annotated[AsyncSession, Depends(hub_session, scope="function")]
cookie_scheme = APIKeyCookie(name=SESSION_COOKIE, auto_error=False, description="Sessão do console")


async def session_operator(
    request: Request, session: HubSession, cookie: Annotated[str | None, Depends(cookie_scheme)]
) -> Operator:
    async def load(operator_id: int) -> Operator | None:
        return await session.get(Operator, operator_id)

    return await page_account(request, cookie, OPERATOR_CREDENTIALS, load)


def require_operator_role(minimum: OperatorRole) -> Callable[[Operator], Awaitable[Operator]]:
    async def check(operator: Operator = Depends(session_operator)) -> Operator:
        if not operator.has_role(minimum):
            raise Forbidden(f"Acesso negado: esta ação exige o papel {minimum.label}.")
        return operator

    return check


ConsoleViewer = Annotated[Operator, Depends(session_operator)]
ConsoleOperator = Annotated[Operator, Depends(require_operator_role(OperatorRole.operator))]
ConsoleAdmin = Annotated[Operator, Depends(require_operator_role(OperatorRole.admin))]
