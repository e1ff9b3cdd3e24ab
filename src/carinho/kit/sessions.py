"""The request's database session: committed when the endpoint returns, before the response
is sent, so a client never sees a 2xx for work that was not committed — unless the endpoint refused
the request while answering normally (a page drawing its form again with a 422): then whatever a
service changed before its check refused is rolled back, never half-saved."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable

from fastapi import Request
from sqlalchemy.ext.asyncio import AsyncSession


def mark_refused(request: Request) -> None:
    """The request was refused (the answer says why): its session must not commit."""
    request.state.refused = True


def session_dependency(context: str) -> Callable[[Request], AsyncIterator[AsyncSession]]:
    async def get_session(request: Request) -> AsyncIterator[AsyncSession]:
        async with request.app.state.runtime.db(context).session() as session:
            yield session
            if getattr(request.state, "refused", False):
                await session.rollback()
            else:
                await session.commit()

    return get_session
