"""The request's database session: committed when the endpoint returns, before the response
is sent, so a client never sees a 2xx for work that was not committed — unless the endpoint refused
the request while answering normally (a page drawing its form again with a 422): then whatever a
service changed before its check refused is rolled back, never half-saved.

A context's pages may ask for read-only sessions on GET and HEAD (`read_only_reads`): on SQLite they
take no write lock while they read (kit/db.py: Database.read_session), and a write in one is refused."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable

from fastapi import Request
from sqlalchemy.ext.asyncio import AsyncSession


def mark_refused(request: Request) -> None:
    """The request was refused (the answer says why): its session must not commit."""
    request.state.refused = True


READ_METHODS = frozenset({"GET", "HEAD"})


def session_dependency(
    context: str, *, read_only_reads: bool = False
) -> Callable[[Request], AsyncIterator[AsyncSession]]:
    async def get_session(request: Request) -> AsyncIterator[AsyncSession]:
        db = request.app.state.runtime.db(context)
        read_only = read_only_reads and request.method in READ_METHODS
        async with db.read_session() if read_only else db.session() as session:
            yield session
            if getattr(request.state, "refused", False):
                await session.rollback()
            else:
                await session.commit()

    return get_session
