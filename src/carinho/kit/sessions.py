"""The request's database session: committed when the endpoint returns, before the response
is sent, so a client never sees a 2xx for work that was not committed."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable

from fastapi import Request
from sqlalchemy.ext.asyncio import AsyncSession


def session_dependency(context: str) -> Callable[[Request], AsyncIterator[AsyncSession]]:
    async def get_session(request: Request) -> AsyncIterator[AsyncSession]:
        async with request.app.state.runtime.db(context).session() as session:
            yield session
            await session.commit()

    return get_session
