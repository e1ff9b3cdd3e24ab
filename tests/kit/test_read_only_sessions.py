"""Read-only sessions (kit/db.py: Database.read_session): on SQLite a page that only reads takes no
write lock, so a writer (the ingest's group commit, which never waits for the lock) commits while the
page reads; a write in such a session is refused on every backend; pages that ask for them get one on
GET only."""

from __future__ import annotations

from typing import Annotated

import pytest
from fastapi import Depends, FastAPI
from fastapi.responses import PlainTextResponse, Response
from sqlalchemy import func, insert, select, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession

from carinho.atendimento.labels.models import Label
from carinho.kit.db import READ_ONLY, ReadOnlySessionWrite, is_sqlite_busy
from carinho.kit.sessions import session_dependency
from carinho.runtime import Runtime
from tests.conftest import asgi_client


def _write_without_waiting(rt: Runtime, name: str) -> None:
    """A commit on the connection that never waits for the write lock (the ingest's)."""
    with rt.db("atendimento").no_wait_engine().begin() as conn:
        conn.execute(insert(Label).values(name=name, color="#000000", description=""))


async def test_a_read_only_session_on_sqlite_lets_a_writer_commit_while_it_reads(rt: Runtime) -> None:
    db = rt.db("atendimento")
    if db.backend != "sqlite":
        pytest.skip("the write lock is SQLite's")
    async with db.read_session() as session:
        await session.execute(select(func.count()).select_from(Label))
        _write_without_waiting(rt, "lida")  # the read transaction is open: no lock held
        await session.commit()

    async with db.session() as session:  # a writing session holds it from its first statement
        await session.execute(select(func.count()).select_from(Label))
        with pytest.raises(DBAPIError) as refused:
            _write_without_waiting(rt, "bloqueada")
        assert is_sqlite_busy(refused.value)
    async with db.read_session() as session:
        names = set((await session.execute(select(Label.name))).scalars())
    assert "lida" in names and "bloqueada" not in names


async def test_a_write_in_a_read_only_session_is_refused(rt: Runtime) -> None:
    async with rt.db("atendimento").read_session() as session:
        assert session.sync_session.execution_options.get(READ_ONLY)
        session.add(Label(name="nova"))
        with pytest.raises(ReadOnlySessionWrite):
            await session.flush()
        await session.rollback()
        with pytest.raises(ReadOnlySessionWrite):
            await session.execute(update(Label).values(description="x"))


Session = Annotated[AsyncSession, Depends(session_dependency("atendimento", read_only_reads=True))]


async def test_pages_that_ask_get_a_read_only_session_on_get_only(rt: Runtime) -> None:
    app = FastAPI()
    app.state.runtime = rt

    def answer(session: AsyncSession) -> Response:
        return PlainTextResponse("ro" if session.sync_session.execution_options.get(READ_ONLY) else "rw")

    @app.get("/ler")
    async def read(session: Session) -> Response:
        return answer(session)

    @app.post("/gravar")
    async def write(session: Session) -> Response:
        session.add(Label(name="gravada"))
        return answer(session)

    async with asgi_client(app, "http://t") as client:
        assert (await client.get("/ler")).text == "ro"
        assert (await client.post("/gravar")).text == "rw"
    async with rt.db("atendimento").read_session() as session:
        saved = await session.execute(select(Label.name).where(Label.name == "gravada"))
        assert saved.scalar() == "gravada"
