"""The repository base: `add` returns the row, `get` finds it by primary key, `get_or_404` raises the
project's NotFound with the caller's message, `count`/`count_of` filter, `page_of` pages an ordered
query and `one_locked` reads the one row (locked on server databases)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from carinho.errors import NotFound
from carinho.integracoes.database import Heartbeat
from carinho.kit.repository import Repository
from carinho.runtime import Runtime


class HeartbeatRepository(Repository[Heartbeat]):
    model = Heartbeat


async def test_the_base_reads_what_it_adds(rt: Runtime) -> None:
    async with rt.db("integracoes").session() as session:
        repo = HeartbeatRepository(session)
        added = [repo.add(Heartbeat(name=f"repo-{n}", details={"n": n})) for n in range(5)]
        assert added[0].name == "repo-0"
        await session.commit()

    async with rt.db("integracoes").session() as session:
        repo = HeartbeatRepository(session)
        found = await repo.get("repo-3")
        assert found is not None and found.details == {"n": 3}
        assert await repo.get("nobody") is None
        assert (await repo.get_or_404("repo-1", "Não encontrado.")).name == "repo-1"
        with pytest.raises(NotFound) as caught:
            await repo.get_or_404("nobody", "Batida não encontrada.")
        assert caught.value.message == "Batida não encontrada."
        assert caught.value.status_code == 404

        names = select(Heartbeat).where(Heartbeat.name.like("repo-%")).order_by(Heartbeat.name)
        assert await repo.count(Heartbeat.name.like("repo-%")) == 5
        assert await repo.count_of(Heartbeat, Heartbeat.name == "repo-2") == 1
        page = await repo.page_of(names, limit=2, offset=2)
        assert [row.name for row in page] == ["repo-2", "repo-3"]
        assert [row.name for row in await repo.page_of(names, limit=10, offset=4)] == ["repo-4"]

        locked = await repo.one_locked(select(Heartbeat).where(Heartbeat.name == "repo-4"))
        assert locked is not None and locked.name == "repo-4"
        assert await repo.one_locked(select(Heartbeat).where(Heartbeat.name == "nobody")) is None
